/**
 * AWS's event source mapping contract on the local stack, through AWS's SDK: FilterCriteria (unmatched
 * records never invoked, their offsets committed), FunctionResponseTypes (a function's batchItemFailures
 * ignored without ReportBatchItemFailures, honoured with it), an SQS on-failure destination receiving
 * AWS's invocation record once retries are exhausted, AWS's discard (DroppedEventCount) when there is
 * no destination, and a record with a header without a value (the poller does not crash).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/client.ts';
import { groupLag } from '../../src/kafka/lag.ts';
import { sleep } from '../../src/util/retry.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { deployTestFunction, lambdaClient, type TestFunction } from '../support/lambda-fixtures.ts';
import { pythonTools } from '../support/python-tools.ts';

// Records every record it gets (key, headers, delivery) in a file; answers AWS's partial-batch
// response naming every record whose value says `fail: true` (those never succeed).
const handler = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const [id, records] of Object.entries(event.records)) {
    for (const r of records) {
      const value = JSON.parse(Buffer.from(r.value, 'base64').toString());
      appendFileSync(process.env.LOG_FILE, JSON.stringify({
        key: Buffer.from(r.key, 'base64').toString(), offset: r.offset, headers: r.headers,
      }) + '\\n');
      if (value.fail) batchItemFailures.push({ itemIdentifier: { partition: id, offset: r.offset } });
    }
  }
  return { batchItemFailures };
};`;

const kafka = createKafkaClient({ clientId: 'esm-contract-test', brokers: kafkaBrokers() });
const lambda = lambdaClient();
const sqs = new SQSClient(awsClientConfig());
const dir = mkdtempSync(join(tmpdir(), 'esm-contract-'));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

interface Delivery {
  key: string;
  offset: number;
  headers: Array<Record<string, number[]>>;
}

/** One pipeline of a test: its topic (one partition, so offsets are ordered), function and mapping. */
async function pipeline(name: string, mapping: Partial<CreateEventSourceMappingCommandInput>) {
  const topic = uniqueName(`esmc-${name}`);
  const logFile = join(dir, `${topic}.ndjson`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const fn: TestFunction = await deployTestFunction(uniqueName(`esmc-${name}`), handler, {
    env: { LOG_FILE: logFile },
  });
  const created = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn.name,
      Topics: [topic],
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      ...mapping,
    }),
  );
  const uuid = created.UUID!;
  cleanups.push(async () => {
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })).catch(() => undefined);
    await fn.dispose();
    const a = kafka.admin();
    await a.connect();
    await a.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await a.disconnect();
  });
  await until('the mapping enabled', async () => {
    const state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
    return state === 'Enabled' ? true : undefined;
  });
  return {
    topic,
    uuid,
    async produce(values: Array<Record<string, unknown>>) {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: values.map((value) => ({
          key: String(value.key),
          value: JSON.stringify(value),
        })),
      });
      await producer.disconnect();
    },
    deliveries(): Delivery[] {
      try {
        return readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Delivery);
      } catch {
        return [];
      }
    },
    /** Resolves once the mapping's group has committed everything produced. */
    async drained() {
      const a = kafka.admin();
      await a.connect();
      try {
        await until('the group caught up', async () =>
          (await groupLag(a, uuid, topic)) === 0 ? true : undefined,
        );
      } finally {
        await a.disconnect();
      }
    },
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
const count = (deliveries: Delivery[], key: string) => deliveries.filter((d) => d.key === key).length;

describe('event source mappings: the AWS contract on the local stack', () => {
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('FilterCriteria: only matching records are invoked; the others are committed, never invoked', async () => {
    const p = await pipeline('filter', {
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ value: { kind: ['keep'] } }) }] },
    });
    await p.produce(
      Array.from({ length: 20 }, (_, i) => ({ key: `r${i}`, kind: i % 2 === 0 ? 'keep' : 'drop' })),
    );
    await p.drained();
    const keys = p.deliveries().map((d) => d.key);
    expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i * 2}`).sort());
  });

  it('without ReportBatchItemFailures a returned failure list is ignored, as AWS ignores it', async () => {
    const p = await pipeline('noreport', {});
    await p.produce([{ key: 'a' }, { key: 'b', fail: true }, { key: 'c' }]);
    await p.drained();
    const deliveries = p.deliveries();
    for (const key of ['a', 'b', 'c']) expect(count(deliveries, key), key).toBe(1);
  });

  it("with ReportBatchItemFailures: retried from the failed record, then AWS's invocation record to SQS", async () => {
    const queueName = uniqueName('esmc-dlq');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    cleanups.push(() => sqs.send(new DeleteQueueCommand({ QueueUrl })));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const p = await pipeline('report', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn! } },
    });
    await p.produce([{ key: 'a' }, { key: 'b', fail: true }, { key: 'c' }]);
    await p.drained();
    const deliveries = p.deliveries();
    // a succeeded once; b (and c, behind it in the partition) were retried once, then given up on.
    expect(count(deliveries, 'a')).toBe(1);
    expect(count(deliveries, 'b')).toBe(2);
    const received = await until('the invocation record in SQS', async () => {
      const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      return answer.Messages?.[0];
    });
    const record = JSON.parse(received.Body ?? '{}') as {
      requestContext: { condition: string; functionArn: string; approximateInvokeCount: number };
      version: string;
      KafkaBatchInfo: { recordsInfo: Record<string, { firstRecordOffset: string | number }> };
    };
    expect(record.version).toBe('1.0');
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(record.requestContext.approximateInvokeCount).toBe(2);
    expect(Object.keys(record.KafkaBatchInfo.recordsInfo)).toEqual([`${p.topic}-0`]);
    expect(Number(record.KafkaBatchInfo.recordsInfo[`${p.topic}-0`]!.firstRecordOffset)).toBe(1);
  });

  it('with MaximumRetryAttempts and no destination, a failing batch is dropped and counted (DroppedEventCount)', async () => {
    const p = await pipeline('drop', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 0,
      MetricsConfig: { Metrics: ['EventCount'] },
    });
    await p.produce([{ key: 'x', fail: true }]);
    await p.drained();
    expect(count(p.deliveries(), 'x')).toBe(1);
    const cloudwatch = new CloudWatchClient(awsClientConfig());
    const dropped = await until(
      'DroppedEventCount in CloudWatch',
      async () => {
        const stats = await cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: 'AWS/Lambda',
            MetricName: 'DroppedEventCount',
            Dimensions: [{ Name: 'EventSourceMappingUUID', Value: p.uuid }],
            StartTime: new Date(Date.now() - 10 * 60_000),
            EndTime: new Date(Date.now() + 60_000),
            Period: 60,
            Statistics: ['Sum'],
          }),
        );
        const sum = (stats.Datapoints ?? []).reduce((total, d) => total + (d.Sum ?? 0), 0);
        return sum > 0 ? sum : undefined;
      },
      60_000,
    );
    expect(dropped).toBe(1);
  });

  it('a header without a value (librdkafka sends them) reaches the function as [] and the mapping keeps going', async () => {
    const p = await pipeline('nullheader', {});
    const tools = await pythonTools();
    await tools.run(
      `
import sys
from confluent_kafka import Producer
producer = Producer({'bootstrap.servers': sys.argv[1]})
producer.produce(sys.argv[2], key=b'h1', value=b'{"key":"h1"}', headers=[('source', b'test'), ('empty', None)])
if producer.flush(30) != 0: sys.exit('not delivered')
`,
      [kafkaBrokers().join(','), p.topic],
    );
    await p.produce([{ key: 'h2' }]);
    await p.drained();
    const [first] = p.deliveries().filter((d) => d.key === 'h1');
    expect(first?.headers).toEqual([{ source: [...Buffer.from('test')] }, { empty: [] }]);
    expect(count(p.deliveries(), 'h2')).toBe(1);
  }, 180_000);
});
