/**
 * The whole pipeline on the local stack: one snapshot of AIRCRAFT aircraft
 * (default 10,000; `BENCH_AIRCRAFT` to change) produced to Kafka → bridge →
 * the reference Lambda → SNS → an SQS queue drained in parallel. Latency is
 * snapshot handed to the sink → notification received; throughput is
 * notifications per second end to end.
 *   npm run bench -- e2e
 */

import { IAMClient } from '@aws-sdk/client-iam';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Kafka, logLevel } from 'kafkajs';
import { openTail } from '../src/cli/tail.ts';
import { deployPipelineResources } from '../src/deploy/index.ts';
import { KafkaSink } from '../src/kafka/index.ts';
import { LambdaInvoker } from '../src/lambda/index.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { parseStatesResponse, transformStateVector } from '../src/transform/index.ts';
import { fmt, localStack, percentile, unique } from './_util.ts';

const AIRCRAFT = Number(process.env.BENCH_AIRCRAFT ?? 10_000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;
const { brokers, aws } = await localStack();
const lambda = new LambdaClient(aws);
const sns = new SNSClient(aws);
const functionName = unique('bench-e2e-fn');
const deployed = await deployPipelineResources({
  functionName,
  topicName: unique('bench-e2e-topic'),
  timeout: 300,
  lambda,
  sns,
  iam: new IAMClient(aws),
});
const tail = await openTail({ sns, sqs: new SQSClient(aws) }, deployed.topicArn);
const topic = unique('bench-e2e');
const sink = new KafkaSink({ brokers, topic });
await sink.ensureTopic({ partitions: 3 });
const bridge = new LambdaInvoker({
  brokers,
  topic,
  functionName,
  groupId: unique('bench-e2e'),
  batchSize: 1000,
  startingPosition: 'TRIM_HORIZON',
  lambda,
});
await bridge.start();

const { response } = parseStatesResponse(
  generateSnapshot({ aircraft: AIRCRAFT, seed: 12, time: Math.floor(Date.now() / 1000) }),
);
const expected = response.states.filter((sv) => transformStateVector(sv) !== null).length;
const produced = Date.now();
await sink.write(response);
await sink.flush();
const latencies: number[] = [];
while (latencies.length < expected && Date.now() - produced < TIMEOUT_MS) {
  const messages = await tail.receive(1);
  const now = Date.now();
  for (const _ of messages) latencies.push(now - produced);
}
const seconds = (Math.max(...latencies) - Math.min(...latencies)) / 1000 || 1;
console.log(
  `snapshot: ${fmt(AIRCRAFT)} aircraft, ${fmt(expected)} in the air; received ${fmt(latencies.length)}`,
);
console.log(
  `latency snapshot → notification: p50 ${fmt(percentile(latencies, 50) / 1000, 1)} s, p99 ${fmt(percentile(latencies, 99) / 1000, 1)} s, last ${fmt(Math.max(...latencies) / 1000, 1)} s`,
);
console.log(
  `throughput: ${fmt(latencies.length / seconds, 0)} notifications/s end to end (bridge: ${bridge.stats.invocations} invocations, ${bridge.stats.errors} errors)`,
);
await bridge.stop();
await sink.close();
await tail.close();
await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] });
await admin.disconnect();
