/**
 * Packing messages into PublishBatch requests by count and by bytes.
 *
 * @module
 */
import type { PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { SNS_MAX_BATCH_BYTES, SNS_MAX_BATCH_ENTRIES } from './constants.ts';

/**
 * The bytes SNS counts for an entry against the 256 KiB limit: the message
 * plus every attribute's name, data type and value (UTF-8).
 */
export function entrySize(entry: Pick<PublishBatchRequestEntry, 'Message' | 'MessageAttributes'>): number {
  let size = Buffer.byteLength(entry.Message ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    size += value.BinaryValue ? value.BinaryValue.byteLength : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

/** Limits for {@link packBatches}. */
export interface BatchLimits {
  /** @default 10 */
  maxEntries?: number;
  /** @default 262144 (256 KiB) */
  maxBytes?: number;
}

/**
 * Split sized items into batches, in order, of at most `maxEntries` items and
 * `maxBytes` bytes. An item larger than `maxBytes` on its own gets a batch of
 * its own (the publisher rejects such messages before packing).
 */
export function packBatches<E extends { size: number }>(
  items: readonly E[],
  limits: BatchLimits = {},
): E[][] {
  const maxEntries = limits.maxEntries ?? SNS_MAX_BATCH_ENTRIES;
  const maxBytes = limits.maxBytes ?? SNS_MAX_BATCH_BYTES;
  const batches: E[][] = [];
  let current: E[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + item.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
