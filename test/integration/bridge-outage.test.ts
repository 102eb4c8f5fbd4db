import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaSink } from '../../src/kafka/index.ts';
import { createJsonLogger } from '../../src/logger.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { deployTestFunction, slowRecordingHandler, type TestFunction } from '../support/lambda-fixtures.ts';
import { type OwnBroker, startOwnBroker, watchRun } from '../support/own-broker.ts';
import { waitFor } from '../support/wait.ts';

// The function (slowRecordingHandler) records every record it is invoked with in a file the test
// reads and takes DELAY_MS per invocation, so the broker can be killed while the bridge is mid-way.
describe('bridge through a broker outage (a broker of its own, SIGKILLed and restarted)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-outage-'));
  const logFile = join(dir, 'invoked.txt');
  let broker: OwnBroker | undefined;
  let fn: TestFunction | undefined;
  beforeAll(async () => {
    [broker, fn] = await Promise.all([
      startOwnBroker(),
      deployTestFunction(uniqueName('outage-fn'), slowRecordingHandler, {
        env: { LOG_FILE: logFile, DELAY_MS: '100' },
      }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await fn?.dispose();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Distinct records the function was invoked with, and all invocations' records. */
  const invoked = () => {
    const ids = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : [];
    return { distinct: new Set(ids), total: ids.length };
  };

  async function produce(topic: string, aircraft: number, seed: number): Promise<void> {
    const sink = new KafkaSink({ brokers: broker!.brokers, topic });
    await sink.ensureTopic({ partitions: 3 });
    await sink.write(parseStatesResponse(generateSnapshot({ aircraft, seed })).response);
    await sink.close();
  }

  async function endOffsets(topic: string): Promise<string[]> {
    const kafka = new Kafka({
      clientId: 'outage-admin',
      brokers: broker!.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.flatMap((p) =>
        Array.from(
          { length: Number(p.high) - Number(p.low) },
          (_, i) => `${p.partition}/${Number(p.low) + i}`,
        ),
      );
    } finally {
      await admin.disconnect();
    }
  }

  it('resumes after the broker comes back and invokes every record at least once', async () => {
    // Arrange: 400 records in the topic, the bridge consuming them
    const own = broker!;
    const topic = uniqueName('bridge-outage');
    await produce(topic, 400, 3);
    const pipeline = createPipeline({
      mode: 'bridge',
      invoker: {
        functionName: fn!.name,
        topic,
        groupId: uniqueName('outage-group'),
        brokers: own.brokers,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        batchingWindowMs: 100,
        restart: { baseMs: 200 },
        // The crashed consumer cannot leave the group while the broker is down; its successor
        // joins once its session expires. Shorter than the default 30 s to keep the test short.
        sessionTimeoutMs: 10_000,
        retry: { limit: -1, baseMs: 100 },
        deadLetterTopic: null,
        lambda: new LambdaClient(awsClientConfig()),
      },
      logger: process.env.DEBUG_OUTAGE ? createJsonLogger({ level: 'info' }) : undefined,
    });
    const running = watchRun(pipeline.run());
    await waitFor(() => invoked().distinct.size >= 100);

    // Act: SIGKILL the broker mid-way; restart it once the bridge's consumer has crashed
    const { crashes: crashesAtKill, restarts: restartsAtKill } = pipeline.stats.invoker!;
    await own.kill();
    const atKill = invoked().distinct.size;
    await waitFor(() => pipeline.stats.invoker!.crashes > crashesAtKill, 60_000);
    const endedDuringOutage = running.ended;
    await own.restart();
    await produce(topic, 100, 4);
    const all = await endOffsets(topic);
    await waitFor(() => invoked().distinct.size >= all.length, 60_000);
    const stats = { ...pipeline.stats.invoker! };
    await pipeline.stop();
    await running.done;

    // Assert: every record invoked at least once (duplicates allowed); the bridge never ended
    expect(running.failure).toBeUndefined();
    expect(endedDuringOutage).toBe(false);
    expect(all).toHaveLength(500);
    const { distinct, total } = invoked();
    expect(all.filter((id) => !distinct.has(id))).toEqual([]);
    expect(distinct.size).toBe(500);
    expect(atKill).toBeLessThan(500);
    expect(stats.crashes).toBeGreaterThan(crashesAtKill);
    expect(stats.restarts).toBeGreaterThan(restartsAtKill);
    console.info(
      `bridge outage: ${atKill} of 400 records invoked when the broker was killed; ` +
        `${stats.crashes} consumer crashes, ${stats.restarts} restarts; ` +
        `${distinct.size} of ${all.length} records invoked, ${total - distinct.size} duplicate invocations`,
    );
  }, 90_000);
});
