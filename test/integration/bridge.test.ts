import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DeadLetterHeaders, LambdaInvoker } from '../../src/bridge/index.ts';
import { decodeKafkaRecord, eventRecords, type KafkaEvent } from '../../src/handler/index.ts';
import { KafkaSink } from '../../src/kafka/index.ts';
import { createJsonLogger } from '../../src/logger.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { deployTestFunction } from '../support/lambda-fixtures.ts';
import { deleteTopics } from '../support/topic-records.ts';
import { committedTotal, waitFor } from '../support/wait.ts';

// The test function runs on this machine (in AWS's Runtime Interface Emulator), so it can
// record each event it receives in a file the test reads. FAIL_FILE makes it throw while
// that file exists; PARTIAL_FILE makes it report the record at that offset as failed once;
// BAD_PARTIAL_FILE makes it answer once with a malformed itemIdentifier.
const recordingHandler = `
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(process.env.LOG_FILE, JSON.stringify(event) + '\\n');
  if (existsSync(process.env.FAIL_FILE)) throw new Error('failing on purpose');
  if (existsSync(process.env.POISON_FILE)) {
    const poison = readFileSync(process.env.POISON_FILE, 'utf8');
    const keys = Object.values(event.records).flat().map((r) => Buffer.from(r.key, 'base64').toString());
    if (keys.includes(poison)) throw new Error('poison record ' + poison);
  }
  if (existsSync(process.env.BAD_PARTIAL_FILE)) {
    rmSync(process.env.BAD_PARTIAL_FILE);
    return { batchItemFailures: [{ itemIdentifier: null }] };
  }
  if (existsSync(process.env.PARTIAL_FILE)) {
    const offset = Number(readFileSync(process.env.PARTIAL_FILE, 'utf8'));
    for (const [id, records] of Object.entries(event.records)) {
      if (records.some((r) => r.offset === offset)) {
        rmSync(process.env.PARTIAL_FILE);
        return { batchItemFailures: [{ itemIdentifier: { partition: id, offset } }] };
      }
    }
  }
  return { ok: true };
};`;

const kafka = new Kafka({ clientId: 'bridge-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });

describe('LambdaInvoker: Kafka → the real Lambda runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-test-'));
  const files = {
    LOG_FILE: join(dir, 'events.ndjson'),
    FAIL_FILE: join(dir, 'fail'),
    PARTIAL_FILE: join(dir, 'partial'),
    BAD_PARTIAL_FILE: join(dir, 'bad-partial'),
    POISON_FILE: join(dir, 'poison'),
  };
  const cleanups: Array<() => Promise<void>> = [];
  const topics: string[] = [];

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    for (const file of Object.values(files)) rmSync(file, { force: true });
  });
  afterAll(async () => {
    await deleteTopics(topics);
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(
    aircraft: number,
    options: Partial<ConstructorParameters<typeof LambdaInvoker>[0]> = {},
  ) {
    const topic = uniqueName('bridge');
    topics.push(topic, `${topic}-dlq`);
    const sink = new KafkaSink({ brokers: kafkaBrokers(), topic });
    await sink.ensureTopic({ partitions: 3 });
    await new KafkaSink({ brokers: kafkaBrokers(), topic: `${topic}-dlq` }).ensureTopic({ partitions: 1 });
    const { response } = parseStatesResponse(generateSnapshot({ aircraft, seed: 21 }));
    await sink.write(response);
    await sink.close();
    const functionName = uniqueName('bridge-fn');
    const fn = await deployTestFunction(functionName, recordingHandler, { env: files });
    cleanups.push(() => fn.dispose());
    const groupId = uniqueName('bridge-group');
    const bridge = new LambdaInvoker({
      functionName,
      topic,
      groupId,
      brokers: kafkaBrokers(),
      startingPosition: 'TRIM_HORIZON',
      batchSize: 20,
      batchingWindowMs: 100,
      retry: { baseMs: 50 },
      lambda: new LambdaClient(awsClientConfig()),
      logger: process.env.DEBUG_BRIDGE ? createJsonLogger({ level: 'debug' }) : undefined,
      ...options,
    });
    cleanups.push(() => bridge.stop());
    return { topic, groupId, bridge, response };
  }

  const events = (): KafkaEvent[] =>
    existsSync(files.LOG_FILE)
      ? readFileSync(files.LOG_FILE, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];

  it('invokes with the self-managed Kafka event shape and commits after success', async () => {
    const { topic, groupId, bridge, response } = await setup(100);
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 100);

    const seen = events();
    expect(seen.length).toBeGreaterThanOrEqual(5); // batchSize 20
    for (const event of seen) {
      expect(event.eventSource).toBe('SelfManagedKafka');
      expect(event.bootstrapServers).toBe(kafkaBrokers().join(','));
      for (const [id, records] of Object.entries(event.records)) {
        expect(id).toMatch(new RegExp(`^${topic}-[0-2]$`));
        expect(records.length).toBeLessThanOrEqual(20);
        for (const record of records) {
          expect(Object.keys(record).sort()).toEqual(
            ['headers', 'key', 'offset', 'partition', 'timestamp', 'timestampType', 'topic', 'value'].sort(),
          );
          expect(`${record.topic}-${record.partition}`).toBe(id);
          expect(record.timestampType).toBe('CREATE_TIME');
          expect(record.headers).toContainEqual({ source: [...Buffer.from('opensky-stream')] });
        }
        const offsets = records.map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
    }
    const decoded = seen.flatMap((event) => eventRecords(event).map((r) => decodeKafkaRecord(r)));
    const byKey = new Map(decoded.map((r) => [r.key, r.value]));
    expect(byKey.size).toBe(100);
    for (const sv of response.states)
      expect(byKey.get(sv.icao24)).toEqual({ ...sv, snapshot_time: response.time });
    expect(bridge.stats).toMatchObject({ recordsIn: 100, errors: 0, deadLettered: 0 });
  });

  it('commits nothing while the function fails, and catches up once it recovers', async () => {
    writeFileSync(files.FAIL_FILE, '1');
    const { topic, groupId, bridge } = await setup(30, {
      deadLetterTopic: null,
      retry: { limit: -1, baseMs: 50 },
    });
    await bridge.start();
    await waitFor(() => bridge.stats.errors >= 3);
    expect(await committedTotal(kafka, groupId, topic)).toBe(0);
    rmSync(files.FAIL_FILE);
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 30);
    expect(bridge.stats.deadLettered).toBe(0);
  });

  it('sends a batch that keeps failing to the dead-letter topic, with failure headers, then commits', async () => {
    writeFileSync(files.FAIL_FILE, '1');
    const { topic, groupId, bridge } = await setup(25, { retry: { limit: 1, baseMs: 50 } });
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 25);
    expect(bridge.stats.deadLettered).toBe(25);

    const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: `${topic}-dlq`, fromBeginning: true });
    const dead: Record<string, string>[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            dead.push(
              Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            );
            if (dead.length === 25) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    for (const headers of dead) {
      expect(headers).toMatchObject({
        [DeadLetterHeaders.REASON]: 'retries-exhausted',
        [DeadLetterHeaders.ERROR_TYPE]: 'Unhandled',
        [DeadLetterHeaders.TOPIC]: topic,
        [DeadLetterHeaders.ATTEMPTS]: '2',
        source: 'opensky-stream',
      });
      expect(headers[DeadLetterHeaders.ERROR_MESSAGE]).toContain('failing on purpose');
    }
  });

  it('isolates a poison record by bisecting: only it is dead-lettered, the rest is delivered', async () => {
    const { topic, groupId, bridge, response } = await setup(40, {
      bisectBatchOnFunctionError: true,
      retry: { limit: 0, baseMs: 50 },
    });
    const poison = response.states[7]!.icao24;
    writeFileSync(files.POISON_FILE, poison);
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 40);
    expect(bridge.stats.deadLettered).toBe(1);
    const delivered = events()
      .filter((event) => !eventRecords(event).some((r) => decodeKafkaRecord(r).key === poison))
      .flatMap((event) => eventRecords(event).map((r) => decodeKafkaRecord(r).key));
    expect(new Set(delivered).size).toBe(39);
  });

  it('dead-letters records older than maximumRecordAgeSeconds without invoking', async () => {
    const { topic, groupId, bridge } = await setup(0, { maximumRecordAgeSeconds: 60 });
    const producer = kafka.producer();
    await producer.connect();
    const old = String(Date.now() - 3_600_000);
    await producer.send({
      topic,
      messages: Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: '{}', timestamp: old })),
    });
    await producer.disconnect();
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 12);
    expect(bridge.stats.deadLettered).toBe(12);
    expect(bridge.stats.invocations).toBe(0);
    expect(events()).toEqual([]);
  });

  it('AT_TIMESTAMP: a new group starts at the given time, skipping older records', async () => {
    // Record timestamps are set explicitly on both sides of the starting time, so the outcome
    // does not depend on how long deploying the function or producing takes.
    const now = Date.now();
    const startingAt = now - 5 * 60_000;
    const { topic, groupId, bridge } = await setup(0, { startingPosition: { timestamp: startingAt } });
    const producer = kafka.producer();
    await producer.connect();
    const batch = (prefix: string, count: number, timestamp: number) =>
      Array.from({ length: count }, (_, i) => ({
        key: `${prefix}-${i}`,
        value: '{}',
        timestamp: String(timestamp),
      }));
    await producer.send({ topic, messages: batch('before', 20, startingAt - 60_000) });
    await producer.send({ topic, messages: batch('at', 2, startingAt) });
    await producer.send({ topic, messages: batch('after', 3, startingAt + 60_000) });
    await producer.disconnect();
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 25);
    const keys = events().flatMap((event) => eventRecords(event).map((r) => decodeKafkaRecord(r).key));
    expect(keys.sort()).toEqual(['after-0', 'after-1', 'after-2', 'at-0', 'at-1']);
  });

  it('retries only the failed record and those after it on a partial-batch response', async () => {
    writeFileSync(files.PARTIAL_FILE, '5');
    const { topic, groupId, bridge } = await setup(60, { partitionConcurrency: 1 });
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 60);
    const seen = events();
    const failedAt = seen.findIndex((event) => eventRecords(event).some((r) => r.offset === 5));
    const failed = eventRecords(seen[failedAt]!);
    const partition = failed.find((r) => r.offset === 5)!.partition;
    const retry = seen
      .slice(failedAt + 1)
      .find((event) => eventRecords(event).some((r) => r.partition === partition));
    expect(eventRecords(retry!).filter((r) => r.partition === partition)[0]!.offset).toBe(5);
    expect(bridge.stats.partialFailures).toBe(1);
    expect(bridge.stats.deadLettered).toBe(0);
  });

  it('retries the whole batch when the function answers with a malformed itemIdentifier', async () => {
    writeFileSync(files.BAD_PARTIAL_FILE, '1');
    const { topic, groupId, bridge } = await setup(20, { partitionConcurrency: 1 });
    await bridge.start();
    await waitFor(async () => (await committedTotal(kafka, groupId, topic)) === 20);
    const seen = events();
    const first = eventRecords(seen[0]!);
    const partition = first[0]!.partition;
    // AWS reads a malformed identifier as a failure of the whole batch: nothing of it was
    // committed, so the same records come again.
    const again = seen.slice(1).find((event) => eventRecords(event).some((r) => r.partition === partition));
    expect(again).toBeDefined();
    expect(eventRecords(again!).map((r) => r.offset)).toEqual(first.map((r) => r.offset));
    expect(bridge.stats).toMatchObject({ errors: 1, partialFailures: 0, deadLettered: 0 });
  });
});
