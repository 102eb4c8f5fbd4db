/**
 * The local SNS/SQS data plane side by side, in one process run: the same
 * client script against moto's own server (MOTO_PORT, what the stack used to
 * route SNS and SQS to) and against the AWS endpoint (fauxqs in the router).
 * PublishBatch to a topic with one raw-delivery SQS subscriber, 16 publishers,
 * 8 receivers; delivered per second and latency (publish → receive) of a burst.
 * The client is the product's lean one (signed requests without the SDK's
 * middleware), so that the figures are the emulator's rather than the client's.
 *
 *   npm run bench -- aws-endpoints
 *   BENCH_MESSAGES=5000 BENCH_MOTO_MESSAGES=1000 npm run bench -- aws-endpoints
 */
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsQueueReader } from '../src/aws/sqs-queue.ts';
import { queryTransport } from '../src/sns/transport.ts';
import { stackConfig } from '../src/stack/lib.ts';
import { startMotoProxy } from '../test/support/moto-proxy.ts';
import { fmt, localStack, percentile, unique } from './_util.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const MOTO_MESSAGES = Number(process.env.BENCH_MOTO_MESSAGES ?? 1000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 120) * 1000;
const { aws } = await localStack();
const cfg = stackConfig();

async function burst(endpoint: string, count: number) {
  const config = { ...aws, endpoint };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique('bench-ep-topic') }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('bench-ep-q') }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes!.QueueArn!,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const publish = queryTransport(sns);
  const reader = new SqsQueueReader(sqs, QueueUrl!);
  const latencies: number[] = [];
  let received = 0;
  const started = Date.now();
  let next = 0;
  const publisher = async () => {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + 10);
      const answer = await publish.publishBatch(
        TopicArn!,
        Array.from({ length: next - first }, (_, i) => ({
          Id: String(i),
          Message: JSON.stringify({
            n: first + i,
            at: Date.now(),
            icao24: 'abc123',
            origin_country: 'Germany',
          }),
          MessageAttributes: { origin_country: { DataType: 'String', StringValue: 'Germany' } },
        })),
        undefined,
        0,
      );
      if (answer.Failed?.length) throw new Error(`PublishBatch failed: ${JSON.stringify(answer.Failed[0])}`);
    }
  };
  const receiver = async () => {
    while (received < count && Date.now() - started < TIMEOUT_MS) {
      const Messages = await reader.receive({ max: 10, waitSeconds: 1 });
      const now = Date.now();
      for (const message of Messages) {
        received++;
        latencies.push(now - (JSON.parse(message.Body!) as { at: number }).at);
      }
      if (Messages.length) await reader.delete(Messages);
    }
  };
  await Promise.all([...Array.from({ length: 16 }, publisher), ...Array.from({ length: 8 }, receiver)]);
  const seconds = (Date.now() - started) / 1000;
  publish.destroy();
  reader.destroy();
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  await sns.send(new DeleteTopicCommand({ TopicArn }));
  return { count, received, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

// moto answers only the stack (a token header): reach it through a proxy that adds the token.
const motoProxy = await startMotoProxy(cfg);
const rows = [
  {
    name: `moto (${cfg.host}:${cfg.motoPort}, through a token proxy)`,
    ...(await burst(motoProxy.url, MOTO_MESSAGES)),
  },
  { name: `fauxqs via the AWS endpoint (${aws.endpoint})`, ...(await burst(aws.endpoint, MESSAGES)) },
];
for (const row of rows) {
  console.log(
    `${row.name}: ${fmt(row.received)} of ${fmt(row.count)} delivered in ${fmt(row.seconds, 1)} s = ${fmt(row.received / row.seconds, 0)} delivered/s; latency p50 ${fmt(row.p50, 0)} ms, p99 ${fmt(row.p99, 0)} ms`,
  );
}
await motoProxy.close();
const [moto, fauxqs] = rows as [(typeof rows)[0], (typeof rows)[0]];
console.log(
  `ratio: ${fmt(fauxqs.received / fauxqs.seconds / (moto.received / moto.seconds), 1)}× the delivery rate of moto`,
);
