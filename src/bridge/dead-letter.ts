/**
 * Where records go that the function could not take: the failure shapes, the
 * on-failure destination seam, and the Kafka dead-letter topic writer (gzip,
 * in chunks under the broker's message size limit).
 *
 * @module
 */
import { gzipSync } from 'node:zlib';
import type { ConsumedRecord } from '../handler/event.ts';
import type { KafkaProducer, ProduceRecord } from '../kafka/clients/types.ts';

/** A record for the dead-letter topic: the failed record's key and value, and text headers. */
type Message = ProduceRecord & { headers: Record<string, string | Buffer> };

/** Headers added to records sent to the dead-letter topic. */
export const DeadLetterHeaders = {
  REASON: 'x-dlq-reason',
  ERROR_TYPE: 'x-dlq-error-type',
  ERROR_MESSAGE: 'x-dlq-error-message',
  FUNCTION: 'x-dlq-function',
  ATTEMPTS: 'x-dlq-attempts',
  TOPIC: 'x-dlq-original-topic',
  PARTITION: 'x-dlq-original-partition',
  OFFSET: 'x-dlq-original-offset',
  FAILED_AT: 'x-dlq-failed-at',
  /** Set when the record's value was left out: too big for the dead-letter topic even compressed. */
  VALUE_DROPPED: 'x-dlq-value-dropped',
} as const;

/**
 * Why records were given up on: retries exhausted, older than `maximumRecordAgeSeconds`,
 * or impossible to send (alone bigger than the Invoke payload limit, or not encodable).
 */
export type FailureReason = 'retries-exhausted' | 'expired' | 'unrepresentable';

/** Records given up on, as handed to an {@link OnFailureDestination}. */
export interface FailedRecords {
  records: ConsumedRecord[];
  reason: FailureReason;
  error?: { type: string; message: string };
  /** Invokes tried (0 when none was, e.g. expired before the first). */
  attempts: number;
  functionName: string;
}

/**
 * An on-failure destination (ESM `DestinationConfig.OnFailure`) other than the Kafka
 * dead-letter topic. `deliver` rejecting means not delivered: it is retried with backoff
 * and the records stay uncommitted meanwhile.
 */
export interface OnFailureDestination {
  deliver(failure: FailedRecords): Promise<void>;
}

/** Bytes a message adds to a produce request, roughly (its fields plus record overhead). */
function messageBytes(message: Message): number {
  let size = 70 + (message.key?.length ?? 0) + (message.value?.length ?? 0);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    size += name.length + (value === undefined ? 0 : Buffer.byteLength(String(value)));
  }
  return size;
}

function headerValue(value: unknown): string | Buffer | undefined {
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first : first === undefined || first === null ? undefined : String(first);
}

/**
 * Writes failed records to a Kafka dead-letter topic: each with its key, value and
 * headers and `x-dlq-*` headers saying why, in gzip-compressed sends of at most
 * `maxBytes` (uncompressed, so the compressed batch is under the broker's limit too),
 * so a huge failed batch cannot be refused as too large and retried forever.
 */
export class KafkaDeadLetter {
  private readonly producer: KafkaProducer;
  readonly topic: string;
  private readonly maxBytes: number;

  /** `producer` sends gzip-compressed (the seam's default). */
  constructor(producer: KafkaProducer, topic: string, maxBytes: number) {
    this.producer = producer;
    this.topic = topic;
    this.maxBytes = maxBytes;
  }

  async write(failure: FailedRecords): Promise<void> {
    const failedAt = new Date().toISOString();
    const messages = failure.records.map((record) => this.message(record, failure, failedAt));
    for (const chunk of this.chunks(messages)) {
      await this.producer.send(this.topic, chunk);
    }
  }

  private message(record: ConsumedRecord, failure: FailedRecords, failedAt: string): Message {
    const headers: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(record.headers ?? {})) {
      const text = headerValue(value);
      if (text !== undefined) headers[name] = text;
    }
    Object.assign(headers, {
      [DeadLetterHeaders.REASON]: failure.reason,
      [DeadLetterHeaders.ERROR_TYPE]: failure.error?.type ?? 'Error',
      [DeadLetterHeaders.ERROR_MESSAGE]: (failure.error?.message ?? '').slice(0, 1000),
      [DeadLetterHeaders.FUNCTION]: failure.functionName,
      [DeadLetterHeaders.ATTEMPTS]: String(failure.attempts),
      [DeadLetterHeaders.TOPIC]: record.topic,
      [DeadLetterHeaders.PARTITION]: String(record.partition),
      [DeadLetterHeaders.OFFSET]: record.offset,
      [DeadLetterHeaders.FAILED_AT]: failedAt,
    });
    const message: Message = { key: record.key, value: record.value, headers };
    // A record bigger than a whole send even once compressed would be refused by the
    // broker on every attempt: keep its coordinates and headers, say what was left out.
    if (messageBytes(message) > this.maxBytes && record.value) {
      const compressed = gzipSync(record.value).length;
      if (compressed + messageBytes({ ...message, value: null }) > this.maxBytes) {
        headers[DeadLetterHeaders.VALUE_DROPPED] =
          `value of ${record.value.length} bytes (${compressed} gzip) exceeds the dead-letter limit of ${this.maxBytes}`;
        return { ...message, value: null };
      }
    }
    return message;
  }

  /** Messages in sends of at most `maxBytes`; a message bigger than that alone is sent alone (it compresses under). */
  private *chunks(messages: Message[]): Generator<Message[]> {
    let chunk: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = messageBytes(message);
      if (chunk.length > 0 && bytes + size > this.maxBytes) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(message);
      bytes += size;
    }
    if (chunk.length) yield chunk;
  }
}
