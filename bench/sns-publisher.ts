/**
 * SnsPublisher against the local AWS endpoint (moto): records/s with no
 * subscriber (the publisher and the API), and with one SQS subscriber drained
 * in parallel (moto's fan-out).
 *   npm run bench -- sns-publisher
 */
import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openTail } from '../src/cli/tail.ts';
import { SnsPublisher } from '../src/sns/index.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { transformStateVector } from '../src/transform/index.ts';
import type { FlightRecord } from '../src/transform/types.ts';
import { fmt, localStack, unique } from './_util.ts';

const { aws } = await localStack();
const client = new SNSClient(aws);
const records = (generateSnapshot({ aircraft: 3000, seed: 5 }).states ?? [])
  .map((row) => transformStateVector(row))
  .filter((r): r is FlightRecord => r !== null)
  .slice(0, 2000);
for (const subscribed of [false, true]) {
  const publisher = new SnsPublisher<FlightRecord>({
    topicName: unique('bench-sns'),
    createIfMissing: true,
    client,
  });
  const topicArn = await publisher.resolveTopic();
  const tail = subscribed ? await openTail({ sns: client, sqs: new SQSClient(aws) }, topicArn) : undefined;
  let draining = Boolean(tail);
  const drain = (async () => {
    while (draining) await tail!.receive(1);
  })();
  const started = performance.now();
  const result = await publisher.publish(records);
  const seconds = (performance.now() - started) / 1000;
  draining = false;
  await drain;
  await tail?.close();
  await client.send(new DeleteTopicCommand({ TopicArn: topicArn }));
  console.log(
    `${subscribed ? '1 SQS subscriber' : 'no subscriber   '}: ${fmt(result.published / seconds).padStart(6)} records/s, ` +
      `${fmt(publisher.stats.requests / seconds)} PublishBatch/s (${result.published} published, ${result.failed.length} failed)`,
  );
}
