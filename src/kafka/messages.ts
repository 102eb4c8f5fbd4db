/**
 * The sink's message encoding: one Kafka message per aircraft of a snapshot
 * (key icao24, value the JSON state vector with its snapshot time, headers
 * naming the source, the snapshot time and the trace), and sends cut to the
 * broker's batch limit.
 *
 * @module
 */
import type { StatesResponse, StateVectorMessage } from '../domain/types.ts';

/** Message headers every KafkaSink message carries. */
export const SinkHeaders = {
  SOURCE: 'source',
  SNAPSHOT_TIME: 'snapshot-time',
  CONTENT_TYPE: 'content-type',
  TRACEPARENT: 'traceparent',
} as const;

/**
 * One message of a snapshot: key icao24, the JSON value, text headers. Narrower than the
 * seam's `ProduceRecord` (and kafkajs's `Message`), so it goes to either as it is.
 */
export interface SinkMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** One message per state vector: key icao24 (per-aircraft order), value the JSON state vector + snapshot time. */
export function snapshotMessages(
  snapshot: Pick<StatesResponse, 'time' | 'states'>,
  options: { source?: string; traceparent?: string } = {},
): SinkMessage[] {
  const headers: Record<string, string> = {
    [SinkHeaders.SOURCE]: options.source ?? 'opensky-stream',
    [SinkHeaders.SNAPSHOT_TIME]: String(snapshot.time),
    [SinkHeaders.CONTENT_TYPE]: 'application/json',
  };
  if (options.traceparent) headers[SinkHeaders.TRACEPARENT] = options.traceparent;
  return snapshot.states.map((sv) => {
    const value: StateVectorMessage = { ...sv, snapshot_time: snapshot.time };
    return { key: sv.icao24, value: JSON.stringify(value), headers };
  });
}

/** Split messages into sends of at most `maxBytes` (key + value bytes), order kept. */
export function chunkMessages(
  messages: SinkMessage[],
  maxBytes: number,
): Array<{ messages: SinkMessage[]; bytes: number }> {
  const chunks: Array<{ messages: SinkMessage[]; bytes: number }> = [];
  let current: SinkMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.value) + Buffer.byteLength(message.key) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push({ messages: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length) chunks.push({ messages: current, bytes });
  return chunks;
}
