/**
 * The event AWS Lambda's self-managed Kafka event source mapping delivers,
 * built and decoded here, so one handler runs unchanged behind the bridge
 * locally and behind a real event source mapping on AWS.
 *
 * @module
 */

/** One record as the event source mapping delivers it. */
export interface KafkaEventRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  /** Base64; absent when the record has no key. */
  key?: string;
  /** Base64; absent for a tombstone. */
  value?: string;
  /** Each header as `{ name: [bytes…] }`. */
  headers: Array<Record<string, number[]>>;
}

/** The event a function receives: records grouped by `topic-partition`. */
export interface KafkaEvent {
  eventSource: 'SelfManagedKafka' | 'aws:kafka';
  /** MSK only. */
  eventSourceArn?: string;
  bootstrapServers: string;
  records: Record<string, KafkaEventRecord[]>;
}

/**
 * Names one record in a partial-batch response: `partition` is the event's `topic-partition` key
 * (`<topic>-<partition>`), `offset` the record's offset. The same shape Powertools for AWS Lambda
 * (Python) `BatchProcessor(EventType.Kafka)` answers with (`_collect_kafka_failures`).
 */
export interface KafkaItemIdentifier {
  partition: string;
  offset: number | string;
}

/** A partial-batch response, as with `ReportBatchItemFailures`. */
export interface KafkaBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: KafkaItemIdentifier }>;
}

/** How the event source mapping reads a function's answer (see {@link parseBatchResponse}). */
export type BatchResponseVerdict =
  /** Every record succeeded. */
  | { kind: 'success' }
  /**
   * Records from the lowest failed offset of each `topic-partition` on are retried; those before it
   * succeeded. `legacyKey`: an identifier used the key `topic-partition` (see {@link parseBatchResponse}).
   */
  | { kind: 'partial'; failedFrom: Record<string, number>; legacyKey?: true }
  /** A malformed or unknown `itemIdentifier`: the whole batch failed and is retried. */
  | { kind: 'invalid'; reason: string };

/** A consumed record, as the bridge holds it (kafkajs's shape, offsets and timestamps as strings). */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  /**
   * kafkajs's headers: a repeated header's values as a list, in the order they came. Typed as
   * kafkajs types them, but a header without a value (legal in Kafka) comes as `null` all the same:
   * its decoder reads the length -1 as `null`, which its types leave out. Everything here copes.
   */
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  /**
   * What kafkajs read from the record batch the record came in (kafkajs sets it on every record of a
   * v2 record batch, the only format Kafka 4 serves): `timestampType` 0 is CreateTime, 1 is
   * LogAppendTime (the topic's `message.timestamp.type`).
   */
  batchContext?: { timestampType?: number };
}

/** kafkajs's `TimestampTypes.LOG_APPEND_TIME`: bit 3 of the record batch's attributes set. */
const KAFKAJS_LOG_APPEND_TIME = 1;

/** One header value as kafkajs really gives it: `null` for a header without a value. */
type HeaderValue = Buffer | string | null;

/**
 * Call `each` for every header value, in kafkajs's order, `undefined` ones skipped. A plain loop:
 * it runs for every header of every record the poller sends (a generator cost the bridge 3× more).
 */
function forEachHeader(
  headers: ConsumedRecord['headers'],
  each: (name: string, value: HeaderValue) => void,
): void {
  // kafkajs folds the headers into an object, so the values of one name stay in order, names come
  // in the order first seen (integer-like names first: JavaScript orders those keys) and
  // interleaved names (a, b, a) come grouped (a, a, b): the wire order kafkajs no longer has.
  if (!headers) return;
  for (const name of Object.keys(headers)) {
    const raw = headers[name] as HeaderValue | HeaderValue[] | undefined;
    if (Array.isArray(raw)) {
      for (const value of raw) if (value !== undefined) each(name, value);
    } else if (raw !== undefined) each(name, raw);
  }
}

/** A header value's bytes as the event's list of numbers (a loop: spreading a Buffer is 6× slower). */
function byteList(value: Buffer | string): number[] {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const out = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]!;
  return out;
}

/**
 * A header without a value is sent as an empty byte list. AWS documents no form for it; `[]` is
 * the one its own readers accept: Powertools for AWS Lambda's parser (`KafkaRecordSchema`: each
 * header a record of `number[]`) and `kafkaConsumer` (`Buffer.from(value)`) reject `null`, and
 * Powertools for Python's `decoded_headers` (`bytes(v)`) fails on `None`. The header itself stays,
 * in its place, so a handler still sees that it was there.
 */
function eventHeaders(headers: ConsumedRecord['headers']): Array<Record<string, number[]>> {
  const out: Array<Record<string, number[]>> = [];
  forEachHeader(headers, (name, value) => {
    out.push({ [name]: value === null ? [] : byteList(value) });
  });
  return out;
}

/** The record's timestamp type, as its record batch says; `fallback` when kafkajs did not say. */
function timestampTypeOf(
  record: ConsumedRecord,
  fallback: KafkaEventRecord['timestampType'],
): KafkaEventRecord['timestampType'] {
  const type = record.batchContext?.timestampType;
  if (type === undefined) return fallback;
  return type === KAFKAJS_LOG_APPEND_TIME ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
}

/**
 * One consumed record in the event's form. `timestampType` is the record batch's (see
 * {@link ConsumedRecord.batchContext}); `fallbackTimestampType` only when the record does not say.
 */
export function toEventRecord(
  record: ConsumedRecord,
  fallbackTimestampType: KafkaEventRecord['timestampType'] = 'CREATE_TIME',
): KafkaEventRecord {
  const out: KafkaEventRecord = {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    timestampType: timestampTypeOf(record, fallbackTimestampType),
    headers: eventHeaders(record.headers),
  };
  if (record.key !== null) out.key = record.key.toString('base64');
  if (record.value !== null) out.value = record.value.toString('base64');
  return out;
}

/**
 * Build the self-managed Kafka event for `records` (any partitions; order within each is kept).
 * `options.timestampType` is for records that do not carry their batch's (see `toEventRecord`).
 */
export function buildKafkaEvent(
  records: readonly ConsumedRecord[],
  bootstrapServers: readonly string[],
  options: { timestampType?: KafkaEventRecord['timestampType'] } = {},
): KafkaEvent {
  const grouped: Record<string, KafkaEventRecord[]> = {};
  for (const record of records) {
    const id = `${record.topic}-${record.partition}`;
    const group = grouped[id] ?? [];
    group.push(toEventRecord(record, options.timestampType));
    grouped[id] = group;
  }
  return { eventSource: 'SelfManagedKafka', bootstrapServers: bootstrapServers.join(','), records: grouped };
}

/**
 * Bytes this record adds to the JSON event: base64 grows data by 4/3 and
 * header bytes are written as decimal numbers (up to 4 characters each).
 */
export function eventRecordSize(record: ConsumedRecord): number {
  const b64 = (n: number) => Math.ceil(n / 3) * 4;
  let size = 170 + record.topic.length + record.offset.length + record.timestamp.length;
  size += b64(record.key?.length ?? 0) + b64(record.value?.length ?? 0);
  forEachHeader(record.headers, (name, value) => {
    size += name.length + 8 + (value === null ? 0 : Buffer.byteLength(value) * 4);
  });
  return size;
}

/** A decoded event record: key and value as text, value parsed as JSON when it is JSON. */
export interface DecodedKafkaRecord<T = unknown> {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** The parsed JSON value, or `undefined` when the value is not JSON (see `raw`). */
  value: T | undefined;
  raw: string | null;
  /** Each header as UTF-8 text; a repeated header's last value; `''` for a header without a value. */
  headers: Record<string, string>;
}

/**
 * A header's bytes (the event's list of numbers) as UTF-8 text; `''` for none. ASCII, what headers
 * mostly are, is read directly: going through a Buffer cost the handler 4× more per header.
 */
function headerText(bytes: unknown): string {
  if (!Array.isArray(bytes)) return '';
  let ascii = bytes.length <= 256;
  // `(b & 0x7f) === b` holds exactly for the integers 0–127 (a string, a fraction, NaN, null or
  // a boolean fails it): one test per byte instead of four.
  for (let i = 0; ascii && i < bytes.length; i++) ascii = (bytes[i] & 0x7f) === bytes[i];
  return ascii ? String.fromCharCode.apply(null, bytes as number[]) : Buffer.from(bytes).toString('utf8');
}

/** Decode one record of a {@link KafkaEvent}: for handlers. Never throws on a bad value. */
export function decodeKafkaRecord<T = unknown>(record: KafkaEventRecord): DecodedKafkaRecord<T> {
  const raw = record.value === undefined ? null : Buffer.from(record.value, 'base64').toString('utf8');
  let value: T | undefined;
  if (raw !== null) {
    try {
      value = JSON.parse(raw) as T;
    } catch {
      value = undefined;
    }
  }
  // A repeated header keeps its last value. A header without a value decodes to '': the bridge
  // sends it as [] and an event from elsewhere might carry null.
  const headers: Record<string, string> = {};
  for (const header of record.headers ?? []) {
    if (!header) continue;
    for (const name of Object.keys(header)) headers[name] = headerText(header[name]);
  }
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === undefined ? null : Buffer.from(record.key, 'base64').toString('utf8'),
    value,
    raw,
    headers,
  };
}

/** Every record of an event, partitions in key order, records in offset order. */
export function eventRecords(event: Pick<KafkaEvent, 'records'>): KafkaEventRecord[] {
  return Object.keys(event.records ?? {})
    .sort()
    .flatMap((id) => event.records[id] ?? []);
}

/**
 * The `itemIdentifier` naming `record` in a partial-batch response (`{ partition: '<topic>-<partition>',
 * offset }`): for handlers that answer `{ batchItemFailures: [{ itemIdentifier }] }` themselves.
 */
export function kafkaItemIdentifier(
  record: Pick<KafkaEventRecord, 'topic' | 'partition' | 'offset'>,
): KafkaItemIdentifier {
  return { partition: `${record.topic}-${record.partition}`, offset: record.offset };
}

const asOffset = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
};

/**
 * Read a function's answer to a Kafka event the way Lambda's event source
 * mapping does with `ReportBatchItemFailures`: a null or empty answer or
 * failure list is a success; otherwise every `itemIdentifier` must be
 * `{ partition: '<topic>-<partition>', offset }` naming a record of `records`,
 * and one that is null, empty, malformed or unknown fails the whole batch
 * (never a silent success whose offsets get committed).
 *
 * The key is `partition`, as Powertools for AWS Lambda (Python) 3.37 answers from
 * `BatchProcessor(EventType.Kafka)` and AWS's Rust runtime types it. Powertools' first Kafka
 * release answered with the key `topic-partition` (its repository's example still shows it): that
 * key is read too, so such functions run locally as meant, and the verdict says `legacyKey` so the
 * poller can warn that AWS may read it as a bad key name (a whole-batch failure).
 */
export function parseBatchResponse(
  response: unknown,
  records: readonly Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>[],
): BatchResponseVerdict {
  if (response === null || typeof response !== 'object') return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  const offsets = new Map<string, Set<number>>();
  for (const record of records) {
    const id = `${record.topic}-${record.partition}`;
    const set = offsets.get(id) ?? new Set<number>();
    set.add(Number(record.offset));
    offsets.set(id, set);
  }
  const failedFrom: Record<string, number> = {};
  let legacyKey = false;
  for (const [index, failure] of failures.entries()) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const where = `batchItemFailures[${index}].itemIdentifier`;
    if (id === null || typeof id !== 'object')
      return { kind: 'invalid', reason: `${where} is missing or not an object` };
    const named = id as { partition?: unknown; 'topic-partition'?: unknown; offset?: unknown };
    let partition = named.partition;
    if (partition === undefined && named['topic-partition'] !== undefined) {
      partition = named['topic-partition'];
      legacyKey = true;
    }
    const offset = asOffset(named.offset);
    if (typeof partition !== 'string' || partition === '' || offset === undefined)
      return { kind: 'invalid', reason: `${where} needs a "partition" string and an integer "offset"` };
    if (!offsets.get(partition)?.has(offset))
      return { kind: 'invalid', reason: `${where} names no record of the batch (${partition}@${offset})` };
    failedFrom[partition] = Math.min(failedFrom[partition] ?? offset, offset);
  }
  if (Object.keys(failedFrom).length === 0) return { kind: 'success' };
  return legacyKey ? { kind: 'partial', failedFrom, legacyKey } : { kind: 'partial', failedFrom };
}
