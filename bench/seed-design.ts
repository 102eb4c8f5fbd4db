/**
 * The seed workshop's design against opensky-stream's, on the same snapshot
 * and the same local stack, in one process run:
 *
 * - seed: a Kafka consumer that invokes the function once per message, and a
 *   function that publishes one SNS message per record (`Publish`);
 * - opensky-stream: the bridge (LambdaInvoker, default options) invoking the
 *   reference handler with the self-managed Kafka event, which publishes with
 *   PublishBatch.
 *
 * Both read BENCH_AIRCRAFT state vectors (default 2,000) from one topic, each
 * with its own consumer group, until every offset is committed. Lambda
 * invocations and SNS API calls are counted by the local endpoint.
 *
 *   npm run bench -- seed-design
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { Kafka, logLevel } from 'kafkajs';
import { LambdaInvoker } from '../src/bridge/index.ts';
import { bundleLambdaSource } from '../src/deploy/bundle.ts';
import { deployPipelineResources } from '../src/deploy/index.ts';
import { zipPackage } from '../src/deploy/zip.ts';
import { KafkaSink } from '../src/kafka/index.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { parseStatesResponse } from '../src/transform/index.ts';
import { fmt, localStack, unique } from './_util.ts';

const AIRCRAFT = Number(process.env.BENCH_AIRCRAFT ?? 2000);
const { brokers, aws } = await localStack();
const lambda = new LambdaClient(aws);
const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

/** Requests the local endpoint has served, by service. */
async function endpointCounts(): Promise<Record<string, number>> {
  const health = (await (await fetch(`${aws.endpoint}/_stack/health`)).json()) as {
    requests?: Record<string, number>;
  };
  return health.requests ?? {};
}

/** Wait until `groupId` has committed the end of every partition of `topic`. */
async function caughtUp(groupId: string, topic: string): Promise<void> {
  const ends = await admin.fetchTopicOffsets(topic);
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = ends.every(
      (end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.offset,
    );
    if (done) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// One snapshot in one topic.
const topic = unique('bench-seed');
const sink = new KafkaSink({ brokers, topic });
await sink.ensureTopic({ partitions: 3 });
const { response } = parseStatesResponse(
  generateSnapshot({ aircraft: AIRCRAFT, seed: 5, time: Math.floor(Date.now() / 1000) }),
);
await sink.write(response);
await sink.flush();
await sink.close();

// opensky-stream's function (the reference handler) and the seed's, publishing to the same topic.
const deployed = await deployPipelineResources({
  functionName: unique('bench-seed-ours'),
  topicName: unique('bench-seed-topic'),
  lambda,
  sns: new SNSClient(aws),
  iam: new IAMClient(aws),
});
const seedSource = `
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { tryTransformStateVector } from ${JSON.stringify(new URL('../src/transform/index.ts', import.meta.url).pathname)};
const sns = new SNSClient({});
// The seed's function: one Kafka message per invocation, one Publish per record.
export const handler = async (event) => {
  const result = tryTransformStateVector(event);
  if (!result.ok || result.record === null) return { published: 0 };
  await sns.send(new PublishCommand({
    TopicArn: process.env.SNS_TOPIC_ARN,
    Message: JSON.stringify(result.record),
    MessageAttributes: { origin_country: { DataType: 'String', StringValue: result.record.origin_country } },
  }));
  return { published: 1 };
};
`;
const dir = mkdtempSync(join(tmpdir(), 'bench-seed-'));
writeFileSync(join(dir, 'handler.ts'), seedSource);
const seedFunction = unique('bench-seed-fn');
await lambda.send(
  new CreateFunctionCommand({
    FunctionName: seedFunction,
    Runtime: 'nodejs22.x',
    Role: deployed.roleArn,
    Handler: 'index.handler',
    Code: { ZipFile: zipPackage({ 'index.mjs': await bundleLambdaSource(join(dir, 'handler.ts')) }) },
    Timeout: 30,
    MemorySize: 256,
    Environment: { Variables: { SNS_TOPIC_ARN: deployed.topicArn } },
  }),
);
rmSync(dir, { recursive: true, force: true });

interface Run {
  invocations: number;
  snsCalls: number;
  seconds: number;
}

async function measure(run: () => Promise<void>): Promise<Run> {
  const before = await endpointCounts();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const after = await endpointCounts();
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  return { invocations: delta('lambda:invoke'), snsCalls: delta('sns'), seconds };
}

const seed = await measure(async () => {
  const groupId = unique('bench-seed-group');
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      await lambda.send(new InvokeCommand({ FunctionName: seedFunction, Payload: message.value! }));
    },
  });
  await caughtUp(groupId, topic);
  await consumer.disconnect();
});

const ours = await measure(async () => {
  const groupId = unique('bench-seed-ours-group');
  const bridge = new LambdaInvoker({
    brokers,
    topic,
    functionName: deployed.functionName,
    groupId,
    startingPosition: 'TRIM_HORIZON',
    lambda,
  });
  await bridge.start();
  await caughtUp(groupId, topic);
  await bridge.stop();
});

const ratio = (a: number, b: number) => `${fmt(a / Math.max(1, b), 1)}×`;
console.log(`snapshot: ${fmt(AIRCRAFT)} state vectors, one topic, each design its own consumer group`);
console.log(
  `seed design (Invoke per message, Publish per record): ${fmt(seed.invocations)} invocations, ${fmt(seed.snsCalls)} SNS calls, ${fmt(seed.seconds, 1)} s`,
);
console.log(
  `opensky-stream (bridge + PublishBatch):               ${fmt(ours.invocations)} invocations, ${fmt(ours.snsCalls)} SNS calls, ${fmt(ours.seconds, 1)} s`,
);
console.log(
  `ratios: ${ratio(seed.invocations, ours.invocations)} fewer invocations (goal ≥ 20×), ${ratio(seed.snsCalls, ours.snsCalls)} fewer SNS calls (goal ≥ 8×), ${ratio(seed.seconds, ours.seconds)} faster`,
);

await lambda.send(new DeleteFunctionCommand({ FunctionName: seedFunction }));
await lambda.send(new DeleteFunctionCommand({ FunctionName: deployed.functionName }));
await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] }).catch(() => undefined);
await admin.disconnect();
