import { describe, expect, it, vi } from 'vitest';
import { chunkMessages, KafkaSink, snapshotMessages } from '../../src/kafka/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { fakeKafka, protocolError } from '../support/fake-kafka.ts';

/** A snapshot of `aircraft` generated aircraft at time `time`. */
const snapshot = (time: number, aircraft = 5) =>
  parseStatesResponse(generateSnapshot({ aircraft, time, seed: time })).response;

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

describe('Class: KafkaSink, failure reporting', () => {
  it('reports an earlier send failure before queueing another send (regression: write queued, then threw)', async () => {
    // Arrange
    const fake = fakeKafka();
    fake.behaviour = () => {
      throw protocolError('TOPIC_AUTHORIZATION_FAILED');
    };
    const sink = new KafkaSink({ kafka: fake.kafka });
    await sink.write(snapshot(1));
    await vi.waitFor(() => expect(sink.stats.errors).toBe(1));

    // Act
    const second = sink.write(snapshot(2));

    // Assert
    await expect(second).rejects.toMatchObject({ code: 'OSS_KAFKA' });
    expect(fake.sends).toHaveLength(1);
  });
});
