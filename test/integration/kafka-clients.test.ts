/**
 * The Kafka client seam on the real broker, the same test body for kafkajs and
 * @platformatic/kafka: produce with headers (one without a value), consume in
 * a group, commit, resume after the commit; what the broker stored (producer
 * id, gzip) read from its own log with Kafka's DumpLogSegments.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/handler/event.ts';
import {
  type ConsumedBatch,
  createKafkaClientSeam,
  type KafkaClient,
  type KafkaClientName,
  KafkaClientNames,
  type KafkaConsumer,
  type ProduceRecord,
} from '../../src/kafka/clients/index.ts';
import { kafkaVersion } from '../../src/stack/kafka.ts';
import { stackConfig } from '../../src/stack/lib.ts';
import { kafkaBrokers, uniqueName } from '../support/env.ts';

const run = promisify(execFile);

/** Every record batch of `topic`'s partition `partition` as the broker stored it, one line each. */
async function storedBatches(topic: string, partition: number): Promise<string[]> {
  const cfg = stackConfig();
  const dir = join(cfg.runDir, 'kafka', 'data', `${topic}-${partition}`);
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => join(dir, f));
  const classpath = `${join(cfg.cacheDir, `kafka-${kafkaVersion}`, 'libs')}/*`;
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const { stdout } = await run(
    java,
    ['-cp', classpath, 'kafka.tools.DumpLogSegments', '--files', segments.join(',')],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout.split('\n').filter((line) => line.startsWith('baseOffset:'));
}

/** Run `consumer` until `count` records arrived; each batch is committed when `commit` says so. */
async function consume(
  consumer: KafkaConsumer,
  count: number,
  commit: (batch: ConsumedBatch) => boolean = () => true,
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  return new Promise<ConsumedRecord[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${records.length} of ${count} records in 60 s`)),
      60_000,
    );
    consumer.on('crash', (error) => reject(error));
    consumer
      .run({
        eachBatch: async (batch) => {
          records.push(...batch.records);
          if (commit(batch)) {
            const last = batch.records[batch.records.length - 1]!;
            await consumer.commit([
              { topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) },
            ]);
          }
          if (records.length >= count) {
            clearTimeout(timer);
            resolve(records);
          }
        },
      })
      .catch(reject);
  });
}

const text = (value: unknown): string | undefined => (Buffer.isBuffer(value) ? value.toString() : undefined);

const records = (from: number, to: number): ProduceRecord[] =>
  Array.from({ length: to - from }, (_, i) => ({
    key: `icao-${from + i}`,
    value: JSON.stringify({ n: from + i }),
    headers: { source: 'kafka-clients-test', empty: null, traceparent: Buffer.from(`tp-${from + i}`) },
    timestamp: 1_700_000_000_000 + from + i,
  }));

describe.each(KafkaClientNames.map((name) => [name]))('Kafka client seam on the local broker: %s', (name) => {
  const client: KafkaClient = createKafkaClientSeam({
    brokers: kafkaBrokers(),
    client: name as KafkaClientName,
  });
  const topic = uniqueName(`seam-${name}`);
  const groupId = `${topic}-group`;

  afterAll(async () => {
    const admin = client.admin({ retries: 1 });
    await admin.connect();
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the topic once, then reports it exists', async () => {
    expect(client.name).toBe(name);
    const admin = client.admin();
    await admin.connect();
    try {
      expect(await admin.createTopic({ topic, partitions: 1 })).toBe(true);
      expect(await admin.createTopic({ topic, partitions: 1 })).toBe(false);
      expect(await admin.listTopics()).toContain(topic);
      expect(await admin.partitionCount(topic)).toBe(1);
      expect(await admin.partitionCount(`${topic}-missing`)).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('produces headers (one without a value), consumes them in a group, and resumes after the committed offset', async () => {
    const producer = client.producer();
    await producer.connect();
    await producer.send(topic, records(0, 3));

    const first = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await first.connect();
    await first.subscribe(topic, { fromBeginning: true });
    const got = await consume(first, 3);
    await first.disconnect();

    expect(got.map((r) => r.offset)).toEqual(['0', '1', '2']);
    expect(got.map((r) => text(r.key))).toEqual(['icao-0', 'icao-1', 'icao-2']);
    expect(JSON.parse(text(got[1]!.value)!)).toEqual({ n: 1 });
    expect(got.map((r) => r.timestamp)).toEqual(['1700000000000', '1700000000001', '1700000000002']);
    expect(got.every((r) => r.topic === topic && r.partition === 0)).toBe(true);
    const headers = got[2]!.headers!;
    expect(Object.keys(headers)).toEqual(['source', 'empty', 'traceparent']);
    expect(text(headers.source)).toBe('kafka-clients-test');
    // kafkajs cannot write a header without a value (its encoder throws on null): the seam
    // sends an empty one. Reading one is covered below, across the two clients.
    if (name === 'platformatic') expect(headers.empty).toBeNull();
    else expect(headers.empty).toEqual(Buffer.alloc(0));
    expect(text(headers.traceparent)).toBe('tp-2');

    const admin = client.admin();
    await admin.connect();
    expect(await admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '3' }]);
    expect(await admin.topicOffsets(topic)).toEqual([{ partition: 0, low: '0', high: '3' }]);

    // A new member of the group starts after the commit, not at the log start.
    await producer.send(topic, records(3, 5));
    await producer.disconnect();
    const second = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await second.connect();
    await second.subscribe(topic, { fromBeginning: true });
    const resumed = await consume(second, 2);
    await second.disconnect();
    expect(resumed.map((r) => r.offset)).toEqual(['3', '4']);
    expect(resumed.map((r) => text(r.key))).toEqual(['icao-3', 'icao-4']);
    expect(await admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '5' }]);
    expect(await admin.topicOffsetsByTimestamp(topic, 1_700_000_000_004)).toEqual([
      { partition: 0, offset: '4' },
    ]);
    expect(await admin.topicOffsetsByTimestamp(topic, 1_800_000_000_000)).toEqual([
      { partition: 0, offset: '5' },
    ]);
    await admin.disconnect();
  });

  it('a batch not committed is read again by the next member', async () => {
    const producer = client.producer();
    await producer.connect();
    await producer.send(topic, records(5, 7));
    await producer.disconnect();
    const quitter = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await quitter.connect();
    await quitter.subscribe(topic);
    expect((await consume(quitter, 2, () => false)).map((r) => r.offset)).toEqual(['5', '6']);
    await quitter.disconnect();

    const successor = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await successor.connect();
    await successor.subscribe(topic);
    expect((await consume(successor, 2)).map((r) => r.offset)).toEqual(['5', '6']);
    await successor.disconnect();
  });

  it('keeps the member in the group through a batch longer than the session, and commits it', async () => {
    const producer = client.producer();
    await producer.connect();
    await producer.send(topic, records(7, 8));
    await producer.disconnect();
    const slow = client.consumer({ groupId, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 });
    await slow.connect();
    await slow.subscribe(topic);
    let joins = 0;
    slow.on('join', () => joins++);
    const handled: string[] = [];
    const done = new Promise<{ stale: boolean }>((resolve, reject) => {
      slow.on('crash', reject);
      void slow
        .run({
          eachBatch: async (batch, context) => {
            handled.push(...batch.records.map((r) => r.offset));
            // 9 s of work against a 6 s session, with heartbeats as the bridge sends them.
            for (let i = 0; i < 9; i++) {
              await new Promise((r) => setTimeout(r, 1000));
              await context.heartbeat().catch(() => undefined);
            }
            const stale = context.isStale();
            const offset = String(Number(batch.records[batch.records.length - 1]!.offset) + 1);
            if (!stale) await slow.commit([{ topic: batch.topic, partition: batch.partition, offset }]);
            resolve({ stale });
          },
        })
        .catch(reject);
    });
    expect(await done).toEqual({ stale: false });
    await slow.disconnect();
    expect(handled).toEqual(['7']);
    expect(joins).toBe(1);
    const admin = client.admin();
    await admin.connect();
    expect(await admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: '8' }]);
    await admin.disconnect();
  });

  it('reports a batch handler that throws as a crash; the next member starts after the last commit', async () => {
    const producer = client.producer();
    await producer.connect();
    await producer.send(topic, records(8, 10));
    await producer.disconnect();
    const failing = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await failing.connect();
    await failing.subscribe(topic);
    const crashed = new Promise<Error>((resolve) => failing.on('crash', resolve));
    await failing.run({
      eachBatch: async () => {
        throw new Error('the function failed');
      },
    });
    expect((await crashed).message).toContain('the function failed');
    await failing.disconnect();

    const next = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await next.connect();
    await next.subscribe(topic);
    expect((await consume(next, 2)).map((r) => r.offset)).toEqual(['8', '9']);
    await next.disconnect();
  });

  it('runs the producer idempotently with gzip, as the broker stored it', async () => {
    const producer = client.producer();
    await producer.connect();
    expect(producer.settings).toEqual({ idempotent: true, acks: -1, compression: 'gzip' });
    expect(producer.isIdempotent()).toBe(true);
    if (name === 'platformatic') expect(producer.producerId()).toBeGreaterThanOrEqual(0n);
    await producer.disconnect();

    const batches = await storedBatches(topic, 0);
    expect(batches.length).toBeGreaterThanOrEqual(3); // the sends of the tests above
    for (const line of batches) {
      // An idempotent producer's batch carries its producer id (-1 otherwise) and a sequence.
      expect(Number(/producerId: (-?\d+)/.exec(line)?.[1])).toBeGreaterThanOrEqual(0);
      expect(Number(/baseSequence: (-?\d+)/.exec(line)?.[1])).toBeGreaterThanOrEqual(0);
      expect(line).toMatch(/compresscodec: gzip/);
    }
  });
});

describe('Kafka client seam: kafkajs and @platformatic/kafka together', () => {
  it('put a key on the same partition (murmur2, as the Java client), and both read a header without a value', async () => {
    const topic = uniqueName('seam-partitions');
    const [kafkajs, platformatic] = KafkaClientNames.map((client) =>
      createKafkaClientSeam({ brokers: kafkaBrokers(), client }),
    );
    const admin = kafkajs!.admin();
    await admin.connect();
    await admin.createTopic({ topic, partitions: 3 });
    try {
      for (const client of [kafkajs!, platformatic!]) {
        const producer = client.producer();
        await producer.connect();
        const keys = Array.from({ length: 30 }, (_, i) => ({
          key: `a${i.toString(16)}c${i * 7}`,
          value: client.name,
          headers: { empty: null },
        }));
        await producer.send(topic, keys);
        await producer.disconnect();
      }
      const read = await Promise.all(
        [kafkajs!, platformatic!].map(async (client) => {
          const consumer = client.consumer({ groupId: `${topic}-${client.name}` });
          await consumer.connect();
          await consumer.subscribe(topic, { fromBeginning: true });
          const got = await consume(consumer, 60);
          await consumer.disconnect();
          return got;
        }),
      );
      for (const got of read) {
        const fromPlatformatic = got.filter((r) => text(r.value) === 'platformatic');
        expect(fromPlatformatic).toHaveLength(30);
        for (const r of fromPlatformatic) expect(r.headers?.empty).toBeNull();
      }
      const got = read[1]!;
      const partitionsOf = new Map<string, Set<number>>();
      for (const r of got) {
        const key = text(r.key)!;
        partitionsOf.set(key, (partitionsOf.get(key) ?? new Set()).add(r.partition));
      }
      expect(partitionsOf.size).toBe(30);
      for (const partitions of partitionsOf.values()) expect(partitions.size).toBe(1);
      expect(new Set(got.map((r) => r.partition)).size).toBe(3);
    } finally {
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
