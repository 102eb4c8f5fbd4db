/**
 * FIFO topics: message group and deduplication ids.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { SNS_MAX_FIFO_ID_LENGTH } from './constants.ts';

// Alphanumerics and ASCII punctuation, 1–128 characters.
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/** True when `id` may be used as a `MessageGroupId` or `MessageDeduplicationId` as is. */
export function isValidFifoId(id: string): boolean {
  return FIFO_ID.test(id);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `id` when SNS accepts it as is; otherwise its SHA-256 in hex (64
 * characters). Hashing instead of replacing or truncating keeps distinct ids
 * distinct, which matters for deduplication.
 */
export function toFifoId(id: string): string {
  return isValidFifoId(id) ? id : sha256(id);
}

/** The default message group: the record's `icao24`, so each aircraft's messages stay in order. */
export function defaultGroupId(record: object): string {
  const icao24 = (record as { icao24?: unknown }).icao24;
  return typeof icao24 === 'string' && icao24 !== '' ? icao24 : 'default';
}

/**
 * The default deduplication id: `<icao24>-<time_position>` (one message per
 * aircraft position), or the SHA-256 of the message when either is missing,
 * like SNS's content-based deduplication.
 */
export function defaultDeduplicationId(record: object, message: string): string {
  const { icao24, time_position } = record as { icao24?: unknown; time_position?: unknown };
  if (typeof icao24 === 'string' && icao24 !== '' && time_position !== null && time_position !== undefined) {
    const id = `${icao24}-${String(time_position)}`;
    if (id.length <= SNS_MAX_FIFO_ID_LENGTH) return id;
  }
  return sha256(message);
}

/** A small stable hash, to spread message groups over lanes. */
export function laneOf(groupId: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < groupId.length; i++) hash = Math.imul(hash ^ groupId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}
