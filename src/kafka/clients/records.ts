/**
 * @platformatic/kafka's records in the shapes the seam speaks: consumed
 * messages as {@link ConsumedRecord} (kafkajs's shape, which the bridge and
 * the Lambda event are written against), and the serializers that turn a
 * {@link ProduceRecord}'s strings into the bytes the library writes.
 * Pure functions: unit-tested without a broker.
 *
 * @module
 */
import type { ConsumedRecord } from '../../handler/event.ts';

/** The fields of a consumed @platformatic/kafka message the seam reads (no deserializers: all bytes). */
export interface PlatformaticMessageLike {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key?: Buffer | null | undefined;
  value?: Buffer | null | undefined;
  /** Every header in wire order, repeats kept. */
  headerEntries: ReadonlyArray<readonly [Buffer | string, Buffer | null | undefined]>;
}

type Headers = NonNullable<ConsumedRecord['headers']>;

/**
 * Headers as kafkajs folds them: one key per name, a repeated name's values as a list in
 * wire order, a header without a value as `null` (kafkajs reads length -1 as `null` too).
 */
export function foldHeaders(entries: PlatformaticMessageLike['headerEntries']): Headers {
  const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
  for (const [rawName, rawValue] of entries) {
    const name = typeof rawName === 'string' ? rawName : rawName.toString();
    const value = rawValue ?? null;
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  return headers as Headers;
}

/** A consumed message as the bridge holds records: offsets and timestamps as decimal strings. */
export function toConsumedRecord(message: PlatformaticMessageLike): ConsumedRecord {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    timestamp: message.timestamp.toString(),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: foldHeaders(message.headerEntries),
  };
}

/** Key, value or header value to bytes: strings as UTF-8, `null`/`undefined` as no bytes (length -1). */
export function toBytes(value: string | Buffer | null | undefined): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** Header names to bytes (UTF-8). */
export function nameToBytes(name: string | Buffer | undefined): Buffer | undefined {
  if (name === undefined) return undefined;
  return typeof name === 'string' ? Buffer.from(name) : name;
}
