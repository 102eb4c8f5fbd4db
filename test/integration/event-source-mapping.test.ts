/**
 * Event source mappings for self-managed Kafka on the local stack, through
 * AWS's own SDK (Create/Get/List/Update/Delete EventSourceMapping): records
 * produced to the real broker reach a deployed function once each, disabling
 * stops delivery, enabling resumes it without loss, updates apply, mappings
 * survive a restart of the AWS endpoint, and their metrics reach CloudWatch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  DeleteEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/client.ts';
import { endpointService } from '../../src/stack/endpoint.ts';
import { stackConfig, stopService } from '../../src/stack/lib.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { workerPid } from '../support/esm-worker.ts';
import { deployTestFunction, lambdaClient, type TestFunction } from '../support/lambda-fixtures.ts';

// The function runs on this machine (in RIE), so it records every batch it gets in a file.
const recordingHandler = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const records = Object.values(event.records).flat();
  appendFileSync(process.env.LOG_FILE, JSON.stringify({
    size: records.length,
    keys: records.map((r) => Buffer.from(r.key, 'base64').toString()),
  }) + '\\n');
  return {};
};`;

const kafka = createKafkaClient({ clientId: 'esm-test', brokers: kafkaBrokers() });
const lambda = lambdaClient();

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const getMapping = (UUID: string) => lambda.send(new GetEventSourceMappingCommand({ UUID }));
const waitForState = (UUID: string, state: string, timeoutMs?: number) =>
  waitFor(
    `mapping ${UUID} ${state}`,
    async () => {
      const mapping = await getMapping(UUID);
      return mapping.State === state ? mapping : undefined;
    },
    timeoutMs,
  );

/** The error an SDK call fails with. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('event source mappings (self-managed Kafka) on the local stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esm-test-'));
  const logFile = join(dir, 'batches.ndjson');
  const topic = uniqueName('esm');
  const functionName = uniqueName('esm-fn');
  let fn: TestFunction;
  const mappings: string[] = [];
  let produced = 0;

  /** Keys the function received, in order, with repeats. */
  const received = (): string[] => {
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => (JSON.parse(line) as { keys: string[] }).keys);
  };
  const batchSizes = (): number[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { size: number }).size);

  async function produce(count: number): Promise<string[]> {
    const producer = kafka.producer();
    await producer.connect();
    const keys = Array.from({ length: count }, () => `k${produced++}`);
    await producer.send({ topic, messages: keys.map((key) => ({ key, value: JSON.stringify({ key }) })) });
    await producer.disconnect();
    return keys;
  }

  const waitForKeys = (keys: string[]) =>
    waitFor(`${keys.length} records delivered`, () => {
      const seen = new Set(received());
      return keys.every((key) => seen.has(key)) || undefined;
    });

  const createInput = (
    overrides: Partial<CreateEventSourceMappingCommandInput> = {},
  ): CreateEventSourceMappingCommandInput => ({
    FunctionName: functionName,
    Topics: [topic],
    SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } },
    StartingPosition: 'TRIM_HORIZON',
    ...overrides,
  });

  async function create(overrides: Partial<CreateEventSourceMappingCommandInput> = {}) {
    const answer = await lambda.send(new CreateEventSourceMappingCommand(createInput(overrides)));
    mappings.push(answer.UUID!);
    return answer;
  }

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    fn = await deployTestFunction(functionName, recordingHandler, { env: { LOG_FILE: logFile } });
  });

  afterAll(async () => {
    for (const UUID of mappings) {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID })).catch(() => undefined);
    }
    await fn?.dispose();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  let uuid: string;

  it('creates a mapping as AWS answers it: Creating, then Enabled, with the defaults', async () => {
    const answer = await create();
    uuid = answer.UUID!;
    expect(answer.$metadata.httpStatusCode).toBe(202);
    expect(answer).toMatchObject({
      State: 'Creating',
      StateTransitionReason: 'USER_INITIATED',
      LastProcessingResult: 'No records processed',
      FunctionArn: fn.arn,
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      Topics: [topic],
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: uuid },
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      EventSourceMappingArn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${uuid}`,
    });
    expect(answer.LastModified).toBeInstanceOf(Date);
    expect(Math.abs(answer.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);
    const enabled = await waitForState(uuid, 'Enabled');
    expect(enabled.UUID).toBe(uuid);
  });

  it('delivers every record produced to the topic to the function exactly once', async () => {
    const keys = await produce(60);
    await waitForKeys(keys);
    const counts = new Map<string, number>();
    for (const key of received()) counts.set(key, (counts.get(key) ?? 0) + 1);
    expect(keys.filter((key) => counts.get(key) !== 1)).toEqual([]);
    expect((await getMapping(uuid)).LastProcessingResult).toBe('OK');
  });

  it('lists the mapping, by function and in all mappings', async () => {
    const byFunction = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    expect(byFunction.EventSourceMappings?.map((m) => m.UUID)).toEqual([uuid]);
    const all = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(all.EventSourceMappings?.map((m) => m.UUID)).toContain(uuid);
    const none = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: 'no-such-function-esm' }),
    );
    expect(none.EventSourceMappings ?? []).toEqual([]);
  });

  it('refuses what AWS refuses, with its error types', async () => {
    const missing = await failure(create({ FunctionName: 'no-such-function-esm' }));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(missing.message).toContain('Function not found');

    expect(await failure(create({ BatchSize: 0 }))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    expect(await failure(create({ BatchSize: 10_001 }))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    expect(await failure(create({ Topics: [topic, `${topic}-2`] }))).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    const msk = await failure(
      create({
        SelfManagedEventSource: undefined,
        EventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/demo/abc',
      }),
    );
    expect(msk).toMatchObject({ name: 'InvalidParameterValueException', status: 400 });
    expect(msk.message).toContain('SelfManagedEventSource');

    const duplicate = await failure(create());
    expect(duplicate).toMatchObject({ name: 'ResourceConflictException', status: 409 });
    expect(duplicate.message).toContain(uuid);

    const unknown = await failure(getMapping('00000000-0000-4000-8000-000000000000'));
    expect(unknown).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('disabling stops delivery; enabling again resumes from where it stopped, without loss', async () => {
    const disabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    expect(disabling.$metadata.httpStatusCode).toBe(202);
    expect(disabling.State).toBe('Disabling');
    await waitForState(uuid, 'Disabled');
    // No poller is left in the group.
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([uuid]);
    await admin.disconnect();
    expect(groups[0]!.members).toEqual([]);

    const before = received().length;
    const keys = await produce(30);
    await new Promise((r) => setTimeout(r, 3000));
    expect(received().length).toBe(before);

    const enabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    expect(enabling.State).toBe('Enabling');
    await waitForState(uuid, 'Enabled');
    await waitForKeys(keys);
    const all = received();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(produced);
  });

  it('applies an update (BatchSize) through Updating, and refuses a second one meanwhile', async () => {
    const updating = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 5 }));
    expect(updating).toMatchObject({ State: 'Updating', BatchSize: 5 });
    const busy = await failure(
      lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 6 })),
    );
    expect(busy).toMatchObject({ name: 'ResourceInUseException', status: 400 });
    await waitForState(uuid, 'Enabled');
    const already = batchSizes().length;
    const keys = await produce(40);
    await waitForKeys(keys);
    const sizes = batchSizes().slice(already);
    expect(sizes.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
    expect((await getMapping(uuid)).BatchSize).toBe(5);
  });

  it('keeps its mappings across a restart of the AWS endpoint, resuming from the committed offsets', async () => {
    const cfg = stackConfig();
    const before = received().length;
    await stopService(cfg, 'lambda');
    await endpointService.start(cfg, () => undefined);
    const mapping = await waitForState(uuid, 'Enabled');
    expect(mapping.BatchSize).toBe(5);
    const keys = await produce(20);
    await waitForKeys(keys);
    const all = received();
    // Nothing delivered before the restart came again.
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(before + 20);
  });

  it('restarts a worker that dies, without losing records (the endpoint stays up)', async () => {
    const pid = await waitFor('worker process', () => workerPid(uuid));
    process.kill(pid, 'SIGKILL');
    const keys = await produce(15);
    const replacement = await waitFor('a new worker process', () => {
      const next = workerPid(uuid);
      return next !== undefined && next !== pid ? next : undefined;
    });
    expect(replacement).not.toBe(pid);
    await waitForKeys(keys);
    expect(new Set(received()).size).toBe(produced);
    expect((await getMapping(uuid)).State).toBe('Enabled');
  });

  it("publishes the mapping's metrics to CloudWatch (AWS/Lambda, EventSourceMappingUUID)", async () => {
    const other = uniqueName('esm-metrics');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: other, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: other,
      messages: Array.from({ length: 25 }, (_, i) => ({ key: `m${i}`, value: '{}' })),
    });
    await producer.disconnect();
    const answer = await create({ Topics: [other], MetricsConfig: { Metrics: ['EventCount'] } });
    expect(answer.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
    await waitForState(answer.UUID!, 'Enabled');
    await waitFor(
      '25 records delivered',
      () => received().filter((k) => /^m\d+$/.test(k)).length >= 25 || undefined,
    );
    // Disabling stops the worker, which reports its last counts as it goes.
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: answer.UUID!, Enabled: false }));
    await waitForState(answer.UUID!, 'Disabled');
    const cloudwatch = new CloudWatchClient(awsClientConfig());
    const sum = async (MetricName: string, Statistics: Array<'Sum' | 'Maximum'> = ['Sum']) => {
      const { Datapoints = [] } = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/Lambda',
          MetricName,
          Dimensions: [{ Name: 'EventSourceMappingUUID', Value: answer.UUID! }],
          StartTime: new Date(Date.now() - 10 * 60_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics,
        }),
      );
      return Datapoints;
    };
    const polled = await sum('PolledEventCount');
    expect(polled.reduce((total, d) => total + (d.Sum ?? 0), 0)).toBe(25);
    const lag = await sum('OffsetLag', ['Maximum']);
    expect(lag.length).toBeGreaterThan(0);
  });

  it('pauses a mapping whose function is deleted (the mapping stays, as on AWS)', async () => {
    await fn.dispose();
    const paused = await waitFor('Function not found', async () => {
      const mapping = await getMapping(uuid);
      return mapping.LastProcessingResult === 'PROBLEM: Function not found' ? mapping : undefined;
    });
    expect(paused.State).toBe('Enabled');
  });

  it('deletes a mapping: Deleting, then gone (404)', async () => {
    const deleting = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    expect(deleting.$metadata.httpStatusCode).toBe(202);
    expect(deleting.State).toBe('Deleting');
    await waitFor('mapping gone', async () => {
      const outcome = await getMapping(uuid).then(
        () => undefined,
        (error: { name: string }) => error.name,
      );
      return outcome === 'ResourceNotFoundException' || undefined;
    });
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    expect(
      (listed.EventSourceMappings ?? []).map((m: EventSourceMappingConfiguration) => m.UUID),
    ).not.toContain(uuid);
  });
});
