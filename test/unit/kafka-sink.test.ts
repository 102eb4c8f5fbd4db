import { describe, expect, it } from 'vitest';
import { chunkMessages, snapshotMessages } from '../../src/kafka/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';

describe('Function: snapshotMessages', () => {
  it('makes one message per aircraft keyed by icao24, with the snapshot time in value and headers', () => {
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 3, time: 1700000000 }));
    const messages = snapshotMessages(response, { traceparent: 'tp' });
    expect(messages.map((m) => m.key)).toEqual(response.states.map((s) => s.icao24));
    expect(JSON.parse(messages[0]!.value as string)).toEqual({
      ...response.states[0],
      snapshot_time: 1700000000,
    });
    expect(messages[0]!.headers).toEqual({
      source: 'opensky-stream',
      'snapshot-time': '1700000000',
      'content-type': 'application/json',
      traceparent: 'tp',
    });
  });
});

describe('Function: chunkMessages', () => {
  it('splits a large snapshot into sends under the byte limit, keeping order and every message', () => {
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 10_000 }));
    const messages = snapshotMessages(response);
    const chunks = chunkMessages(messages, 768 * 1024);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.bytes <= 768 * 1024)).toBe(true);
    expect(chunks.flatMap((c) => c.messages)).toEqual(messages);
  });

  it('keeps a small snapshot in one send', () => {
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 100 }));
    expect(chunkMessages(snapshotMessages(response), 768 * 1024)).toHaveLength(1);
  });
});
