import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LambdaInvoker, type LambdaInvokerOptions } from '../../src/bridge/index.ts';
import { KafkaSink } from '../../src/kafka/index.ts';
import { createJsonLogger } from '../../src/logger.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { deployTestFunction, slowRecordingHandler } from '../support/lambda-fixtures.ts';
import { deleteTopics } from '../support/topic-records.ts';
import { waitFor } from '../support/wait.ts';

// The function (slowRecordingHandler) takes DELAY_MS: longer than the consumer's session in the heartbeat cases.
const kafka = new Kafka({ clientId: 'poller-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });

async function committed(groupId: string, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

describe('LambdaInvoker: Kafka session and group offsets, on the real broker and Lambda runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poller-session-'));
  const cleanups: Array<() => Promise<void>> = [];
  const topics: string[] = [];

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  afterAll(async () => {
    await deleteTopics(topics);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A one-partition topic with `count` records, a slow function, and a bridge (not started). */
  async function setup(
    count: number,
    delayMs: number,
    functionTimeout: number,
    options: Partial<LambdaInvokerOptions>,
  ) {
    const topic = uniqueName('poller');
    topics.push(topic);
    const sink = new KafkaSink({ brokers: kafkaBrokers(), topic });
    await sink.ensureTopic({ partitions: 1 });
    await sink.close();
    await produce(topic, count);
    const logFile = join(dir, `${topic}.log`);
    const fn = await deployTestFunction(uniqueName('poller-fn'), slowRecordingHandler, {
      env: { LOG_FILE: logFile, DELAY_MS: String(delayMs) },
      timeout: functionTimeout,
    });
    cleanups.push(() => fn.dispose());
    const groupId = uniqueName('poller-group');
    const bridge = (extra: Partial<LambdaInvokerOptions> = {}) => {
      const invoker = new LambdaInvoker({
        functionName: fn.name,
        topic,
        groupId,
        brokers: kafkaBrokers(),
        startingPosition: 'TRIM_HORIZON',
        batchingWindowMs: 100,
        deadLetterTopic: null,
        retry: -1,
        lambda: new LambdaClient(awsClientConfig()),
        logger: process.env.DEBUG_POLLER ? createJsonLogger({ level: 'debug' }) : undefined,
        ...options,
        ...extra,
      });
      cleanups.push(() => invoker.stop());
      return invoker;
    };
    /** How many times each record was invoked. */
    const invocations = (): Map<string, number> => {
      const counts = new Map<string, number>();
      const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : [];
      for (const id of lines) counts.set(id, (counts.get(id) ?? 0) + 1);
      return counts;
    };
    return { topic, groupId, bridge, invocations };
  }

  async function produce(topic: string, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: '{}' })),
    });
    await producer.disconnect();
  }

  it.each([
    // The case: a 40-second function (timeout 60 s) under a 30 s session.
    { delayMs: 40_000, functionTimeout: 60, sessionTimeoutMs: 30_000, records: 3, batchSize: 10 },
    // The same, shorter, in two batches.
    { delayMs: 15_000, functionTimeout: 20, sessionTimeoutMs: 10_000, records: 4, batchSize: 2 },
  ])(
    'invokes each offset once with a $delayMs ms function under a $sessionTimeoutMs ms session',
    async ({ delayMs, functionTimeout, sessionTimeoutMs, records, batchSize }) => {
      // Arrange
      const { topic, groupId, bridge, invocations } = await setup(records, delayMs, functionTimeout, {
        sessionTimeoutMs,
        batchSize,
      });
      const invoker = bridge();

      // Act
      await invoker.start();
      await waitFor(async () => (await committed(groupId, topic))[0] === records, records * delayMs + 60_000);

      // Assert: no offset invoked twice, the consumer never lost its membership
      expect([...invocations().entries()].sort()).toEqual(
        Array.from({ length: records }, (_, i) => [`0/${i}`, 1]).sort(),
      );
      expect(invoker.stats).toMatchObject({ crashes: 0, errors: 0 });
      expect(invoker.lastProcessingResult).toBe('OK');
    },
    200_000,
  );

  it('stop() during an Invoke waits for it and commits it', async () => {
    // Arrange: one batch of 5 in a 4 s function
    const { topic, groupId, bridge, invocations } = await setup(5, 4000, 10, { batchSize: 10 });
    const invoker = bridge();
    await invoker.start();
    await waitFor(() => invocations().size === 5, 60_000);

    // Act
    await invoker.stop();

    // Assert
    expect(await committed(groupId, topic)).toEqual([5]);
  }, 90_000);

  it('LATEST is resolved once per group: records produced while no consumer ran are not skipped on restart', async () => {
    // Arrange: 3 old records; a LATEST group starts, skipping them, and stops before any new record
    const { topic, groupId, bridge, invocations } = await setup(3, 0, 10, {
      startingPosition: 'LATEST',
      batchSize: 10,
    });
    const first = bridge();
    await first.start();
    await waitFor(() => first.consuming, 30_000);
    await first.stop();
    const atStart = await committed(groupId, topic);

    // Act: 2 records arrive while nothing consumes; the group starts again
    await produce(topic, 2);
    const second = bridge();
    await second.start();
    await waitFor(async () => (await committed(groupId, topic))[0] === 5, 60_000);

    // Assert: the starting position was committed at the first start; both new records were invoked
    expect(atStart).toEqual([3]);
    expect([...invocations().keys()].sort()).toEqual(['0/3', '0/4']);
  }, 90_000);
});
