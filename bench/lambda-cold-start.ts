/**
 * The reference Lambda on the local stack: deployment package size, the first
 * (cold) Invoke and warm Invokes, with an event of 100 state vectors.
 *   npm run bench -- lambda-cold-start
 */

import { IAMClient } from '@aws-sdk/client-iam';
import { DeleteFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { deployPipelineResources, lambdaPackage } from '../src/deploy/index.ts';
import { buildKafkaEvent } from '../src/handler/index.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { parseStatesResponse } from '../src/transform/index.ts';
import { fmt, localStack, percentile, unique } from './_util.ts';

const { aws } = await localStack();
const lambda = new LambdaClient(aws);
const zip = await lambdaPackage();
const functionName = unique('bench-cold');
await deployPipelineResources({
  functionName,
  topicName: unique('bench-cold-topic'),
  zip,
  lambda,
  sns: new SNSClient(aws),
  iam: new IAMClient(aws),
});
const { response } = parseStatesResponse(generateSnapshot({ aircraft: 100, seed: 2 }));
const event = buildKafkaEvent(
  response.states.map((sv, i) => ({
    topic: 'aviation-data',
    partition: 0,
    offset: String(i),
    timestamp: String(Date.now()),
    key: Buffer.from(sv.icao24),
    value: Buffer.from(JSON.stringify({ ...sv, snapshot_time: response.time })),
  })),
  ['127.0.0.1:9092'],
);
const invoke = async () => {
  const started = performance.now();
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(event) }),
  );
  if (answer.FunctionError) throw new Error(Buffer.from(answer.Payload!).toString());
  return performance.now() - started;
};
const cold = await invoke();
const warm: number[] = [];
for (let i = 0; i < 10; i++) warm.push(await invoke());
console.log(
  `deployment package: ${fmt(zip.length / 1024)} KiB zip (bundle index.mjs with the AWS SDK inside)`,
);
console.log(`cold Invoke (new execution environment, 100 records → SNS): ${fmt(cold)} ms`);
console.log(`warm Invoke: p50 ${fmt(percentile(warm, 50))} ms, max ${fmt(Math.max(...warm))} ms`);
await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
