/**
 * LambdaInvoker through the real Invoke API of the local stack, with a
 * function that only counts its records: the bridge's own throughput
 * (consume → event → Invoke → commit). Prints records/s and invoke latency.
 *   npm run bench -- bridge
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { Kafka, logLevel } from 'kafkajs';
import { LambdaInvoker } from '../src/bridge/index.ts';
import { bundleLambdaSource, deployPipelineResources, zipPackage } from '../src/deploy/index.ts';
import { KafkaSink } from '../src/kafka/index.ts';
import { generateTraffic } from '../src/synthetic/index.ts';
import { parseStatesResponse } from '../src/transform/index.ts';
import { fmt, localStack, percentile, unique } from './_util.ts';

const AIRCRAFT = 10_000;
const SNAPSHOTS = 3;
const { brokers, aws } = await localStack();
const lambda = new LambdaClient(aws);
const functionName = unique('bench-bridge-fn');
const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
writeFileSync(
  join(dir, 'handler.ts'),
  'export const handler = async (event) => ({ records: Object.values(event.records).flat().length });',
);
await deployPipelineResources({
  functionName,
  topicName: unique('bench-topic'),
  zip: zipPackage({ 'index.mjs': await bundleLambdaSource(join(dir, 'handler.ts')) }),
  lambda,
  sns: new SNSClient(aws),
  iam: new IAMClient(aws),
});

const topic = unique('bench-bridge');
const sink = new KafkaSink({ brokers, topic });
await sink.ensureTopic({ partitions: 3 });
const traffic = generateTraffic({ aircraft: AIRCRAFT, seed: 8 });
for (let i = 0; i < SNAPSHOTS; i++) await sink.write(parseStatesResponse(traffic.next().value).response);
await sink.close();
const total = AIRCRAFT * SNAPSHOTS;

for (const batchSize of [100, 1000]) {
  const bridge = new LambdaInvoker({
    brokers,
    topic,
    functionName,
    groupId: unique('bench-group'),
    batchSize,
    startingPosition: 'TRIM_HORIZON',
    lambda,
  });
  const latencies: number[] = [];
  bridge.on('invoke', ({ ms }) => latencies.push(ms));
  const started = performance.now();
  // Done when the committed offsets of all partitions cover every record.
  const committed = new Map<number, number>();
  const done = new Promise<void>((resolve) =>
    bridge.on('commit', ({ partition, offset }) => {
      committed.set(partition, Number(offset));
      if ([...committed.values()].reduce((sum, o) => sum + o, 0) >= total) resolve();
    }),
  );
  await bridge.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await bridge.stop();
  console.log(
    `batch ${String(batchSize).padStart(4)}: ${fmt(total / seconds).padStart(7)} records/s  (${fmt(total)} records, ${bridge.stats.invocations} invocations, ` +
      `invoke p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms)`,
  );
}
await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] });
await admin.disconnect();
