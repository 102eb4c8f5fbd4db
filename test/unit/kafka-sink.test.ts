import {
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  type Message,
} from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunkMessages, classifyKafkaError, KafkaSink, snapshotMessages } from '../../src/kafka/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { connectionRefused, fakeKafka, protocolError } from '../support/fake-kafka.ts';

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

/** Uncompressed bytes of a snapshot as the sink counts them. */
const sizeOf = (s: ReturnType<typeof snapshot>) =>
  chunkMessages(snapshotMessages(s), Number.POSITIVE_INFINITY)[0]!.bytes;

/** `snapshot-time` header of each delivered message, deduplicated in delivery order. */
const deliveredTimes = (messages: Message[]) => [
  ...new Set(messages.map((m) => Number((m.headers as Record<string, string>)['snapshot-time']))),
];

describe('Class: KafkaSink, broker outages', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps accepting snapshots while sends fail, retries them, and delivers every one in order', async () => {
    // Arrange
    const fake = fakeKafka();
    let brokerUp = false;
    fake.behaviour = () => {
      if (!brokerUp) throw connectionRefused();
    };
    const sink = new KafkaSink({ kafka: fake.kafka, retry: { baseMs: 5, maxDelayMs: 20 } });

    // Act
    for (let time = 1; time <= 6; time++) await sink.write(snapshot(time));
    await vi.waitFor(() => expect(sink.stats.sendRetries).toBeGreaterThanOrEqual(3));
    const during = { ...sink.stats };
    brokerUp = true;
    await sink.flush();

    // Assert
    expect(during.bufferedSnapshots).toBe(6);
    expect(deliveredTimes(fake.delivered)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fake.delivered).toHaveLength(30);
    expect(sink.stats).toMatchObject({ messages: 30, bufferedSnapshots: 0, bufferedBytes: 0 });
    expect(sink.stats.droppedSnapshots).toBe(0);
    expect(await sink.close()).toEqual({ unsentSnapshots: 0, unsentMessages: 0 });
  });

  it('drops the oldest whole snapshot when the buffer is full during an outage, and counts it', async () => {
    // Arrange
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = fakeKafka();
    let brokerUp = false;
    fake.behaviour = () => {
      if (!brokerUp) throw connectionRefused();
    };
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const sink = new KafkaSink({
      kafka: fake.kafka,
      maxBufferBytes: Math.floor(3.5 * sizeOf(snapshot(1))),
      retry: { baseMs: 100, maxDelayMs: 100 },
      logger,
    });
    await sink.write(snapshot(1));
    await vi.waitFor(() => expect(sink.stats.sendRetries).toBe(1));

    // Act
    for (let time = 2; time <= 6; time++) await sink.write(snapshot(time));
    const during = { ...sink.stats };
    brokerUp = true;
    await vi.advanceTimersByTimeAsync(200);
    await sink.flush();

    // Assert
    expect(during).toMatchObject({ bufferedSnapshots: 3, droppedSnapshots: 3, droppedMessages: 15 });
    expect(deliveredTimes(fake.delivered)).toEqual([4, 5, 6]);
    expect(warnings.filter((w) => w.includes('dropped the oldest snapshot'))).toHaveLength(3);
  });

  it('waits for room instead of dropping while the broker takes sends (backpressure)', async () => {
    // Arrange
    const fake = fakeKafka();
    const pending: Array<() => void> = [];
    fake.behaviour = () => new Promise<void>((resolve) => pending.push(resolve));
    const sink = new KafkaSink({
      kafka: fake.kafka,
      maxBufferBytes: Math.floor(2.5 * sizeOf(snapshot(1))),
      maxInFlight: 1,
    });
    await sink.write(snapshot(1));
    await sink.write(snapshot(2));

    // Act
    let thirdDone = false;
    const third = sink.write(snapshot(3)).then(() => {
      thirdDone = true;
    });
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    const beforeAck = thirdDone;
    pending.shift()!();
    await third;
    while (sink.stats.bufferedSnapshots > 0) {
      await vi.waitFor(() => expect(pending.length).toBeGreaterThan(0));
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await sink.flush();

    // Assert
    expect(beforeAck).toBe(false);
    expect(sink.stats.droppedSnapshots).toBe(0);
    expect(deliveredTimes(fake.delivered)).toEqual([1, 2, 3]);
  });

  it('fails on an error no retry fixes, without retrying it, and keeps failing', async () => {
    // Arrange
    const fake = fakeKafka();
    fake.behaviour = () => {
      throw protocolError('TOPIC_AUTHORIZATION_FAILED');
    };
    const sink = new KafkaSink({ kafka: fake.kafka, retry: { baseMs: 1, maxDelayMs: 1 } });

    // Act
    await sink.write(snapshot(1));
    const flushed = sink.flush();

    // Assert
    await expect(flushed).rejects.toMatchObject({ code: 'OSS_KAFKA', retryable: false });
    await expect(flushed).rejects.toThrow(/TOPIC_AUTHORIZATION_FAILED/);
    await expect(sink.write(snapshot(2))).rejects.toMatchObject({ code: 'OSS_KAFKA' });
    expect(fake.sends).toHaveLength(1);
    expect(sink.stats.sendRetries).toBe(0);
    expect(await sink.close()).toEqual({ unsentSnapshots: 1, unsentMessages: 5 });
  });

  it('close() tries for closeTimeoutMs, then reports what was not sent', async () => {
    // Arrange
    const fake = fakeKafka();
    fake.behaviour = () => {
      throw connectionRefused();
    };
    const errors: Array<Record<string, unknown> | undefined> = [];
    const logger = {
      ...silentLogger,
      error: (_: string, fields?: Record<string, unknown>) => errors.push(fields),
    };
    const sink = new KafkaSink({
      kafka: fake.kafka,
      retry: { baseMs: 5, maxDelayMs: 10 },
      closeTimeoutMs: 150,
      logger,
    });
    await sink.write(snapshot(1));
    await sink.write(snapshot(2, 3));

    // Act
    const report = await sink.close();

    // Assert
    expect(report).toEqual({ unsentSnapshots: 2, unsentMessages: 8 });
    expect(sink.stats).toMatchObject({ unsentSnapshots: 2, unsentMessages: 8 });
    expect(sink.stats.sendRetries).toBeGreaterThan(0);
    expect(errors).toContainEqual(expect.objectContaining({ unsentSnapshots: 2, unsentMessages: 8 }));
    await expect(sink.write(snapshot(3))).rejects.toThrow(/closed/);
  });

  it('sends a batch the broker finds too large in halves, and fails on a single record that is', async () => {
    // Arrange
    const fake = fakeKafka();
    fake.behaviour = ({ messages }) => {
      if (messages.length > 2) throw protocolError('MESSAGE_TOO_LARGE');
    };
    const sink = new KafkaSink({ kafka: fake.kafka });

    // Act
    await sink.write(snapshot(1, 5));
    await sink.flush();

    // Assert
    expect(fake.delivered.map((m) => m.key)).toEqual(snapshotMessages(snapshot(1, 5)).map((m) => m.key));

    // Arrange: no batch is small enough
    const tooLarge = fakeKafka();
    tooLarge.behaviour = () => {
      throw protocolError('MESSAGE_TOO_LARGE');
    };
    const failing = new KafkaSink({ kafka: tooLarge.kafka });

    // Act
    await failing.write(snapshot(1, 2));

    // Assert
    await expect(failing.flush()).rejects.toThrow(/larger than the broker accepts/);
  });

  it('retries an unknown topic that exists, and fails clearly on one that does not', async () => {
    // Arrange
    const restarted = fakeKafka({ topics: ['aviation-data'] });
    let calls = 0;
    restarted.behaviour = () => {
      if (++calls === 1) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', true);
    };
    const missing = fakeKafka({ topics: [] });
    missing.behaviour = () => {
      throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', true);
    };
    const a = new KafkaSink({ kafka: restarted.kafka, retry: { baseMs: 1, maxDelayMs: 1 } });
    const b = new KafkaSink({ kafka: missing.kafka, retry: { baseMs: 1, maxDelayMs: 1 } });

    // Act
    await a.write(snapshot(1));
    await b.write(snapshot(1));

    // Assert
    await expect(a.flush()).resolves.toBeUndefined();
    expect(a.stats.sendRetries).toBe(1);
    await expect(b.flush()).rejects.toThrow(/topic 'aviation-data' does not exist/);
  });

  it('replaces the producer when the broker lost its idempotence state', async () => {
    // Arrange
    const fake = fakeKafka();
    let calls = 0;
    fake.behaviour = () => {
      if (++calls === 1) throw protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    };
    const sink = new KafkaSink({ kafka: fake.kafka, retry: { baseMs: 1, maxDelayMs: 1 } });

    // Act
    await sink.write(snapshot(1));
    await sink.flush();

    // Assert
    expect(fake.producersCreated).toBe(2);
    expect(fake.delivered).toHaveLength(5);
  });

  it('names the option in a ConfigError', () => {
    expect(() => new KafkaSink({ maxBufferBytes: 0 })).toThrow('/options/maxBufferBytes');
    expect(() => new KafkaSink({ retry: { baseMs: 100, maxDelayMs: 10 } })).toThrow(
      '/options/retry/maxDelayMs',
    );
    expect(() => new KafkaSink({ retry: { baseMs: 0 } })).toThrow('/options/retry/baseMs');
    // The sink never gives up on a send: a finite limit is refused, not ignored.
    expect(() => new KafkaSink({ retry: 3 })).toThrow(/\/options\/retry\/limit must be Infinity or -1/);
    expect(() => new KafkaSink({ retryBaseMs: 100, retryMaxDelayMs: 10 })).toThrow(
      '/options/retryMaxDelayMs',
    );
    expect(() => new KafkaSink({ client: 'rdkafka' as never })).toThrow('/options/client');
  });

  it('sends through an injected KafkaJS-shaped client even when KAFKA_CLIENT names another library', async () => {
    // Arrange
    vi.stubEnv('KAFKA_CLIENT', 'platformatic');
    const fake = fakeKafka();
    const sink = new KafkaSink({ kafka: fake.kafka, logger: silentLogger });

    // Act
    await sink.write(snapshot(1, 3));
    await sink.flush();
    await sink.close();
    vi.unstubAllEnvs();

    // Assert
    expect(fake.delivered).toHaveLength(3);
  });
});

describe('Function: classifyKafkaError', () => {
  it.each([
    ['connection refused', connectionRefused(), 'transient'],
    ['leader not available', protocolError('LEADER_NOT_AVAILABLE', true), 'transient'],
    ['request timed out', new KafkaJSRequestTimeoutError('Request produce(key: 0) timed out'), 'transient'],
    ['not enough replicas', protocolError('NOT_ENOUGH_REPLICAS', true), 'transient'],
    [
      'SASL failure',
      // kafkajs's typings give this class no constructor arguments; at runtime it takes a message
      new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(
        'SASL PLAIN authentication failed',
      ),
      'fatal',
    ],
    ['topic authorization', protocolError('TOPIC_AUTHORIZATION_FAILED'), 'fatal'],
    [
      'a wrapped fatal error',
      new KafkaJSNumberOfRetriesExceeded(protocolError('CLUSTER_AUTHORIZATION_FAILED'), {
        retryCount: 5,
        retryTime: 3000,
      }),
      'fatal',
    ],
    ['record too large', protocolError('MESSAGE_TOO_LARGE'), 'too-large'],
    ['unknown topic', protocolError('UNKNOWN_TOPIC_OR_PARTITION', true), 'unknown-topic'],
    ['lost producer state', protocolError('UNKNOWN_PRODUCER_ID'), 'producer-state'],
  ])('%s → %s', (_, error, kind) => {
    expect(classifyKafkaError(error)).toBe(kind);
  });
});
