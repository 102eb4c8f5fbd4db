/**
 * SnsPublisher against the local AWS endpoint (moto behind the router):
 * records/s and requests/s for
 *   - one Publish call per record (what a publisher without batching does), as a baseline,
 *   - SnsPublisher (PublishBatch) at concurrency 1, 4 and 8, no subscriber,
 *   - SnsPublisher at concurrency 4 with one SQS subscriber drained in parallel (≤ 500 records).
 * Absolute figures measure moto on this machine, not AWS; the ratios are the point.
 *
 *   npx node bench/sns-publisher.ts [records]      (default 2000; env BENCH_RECORDS too)
 *   npm run bench -- sns-publisher
 */
import { DeleteTopicCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openTail } from '../src/cli/tail.ts';
import { createSnsClient, SnsPublisher } from '../src/sns/index.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { transformStateVector } from '../src/transform/index.ts';
import type { FlightRecord } from '../src/transform/types.ts';
import { fmt, localStack, unique } from './_util.ts';

const count = Number(process.argv[2] ?? process.env.BENCH_RECORDS ?? 2000);
if (!Number.isInteger(count) || count < 1)
  throw new Error(`records must be a positive integer, got ${count}`);

const { aws } = await localStack();
const endpoint = process.env.AWS_ENDPOINT_URL ?? aws.endpoint;
const region = process.env.AWS_REGION ?? aws.region;
process.env.AWS_ACCESS_KEY_ID ??= aws.credentials.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY ??= aws.credentials.secretAccessKey;
const client: SNSClient = createSnsClient({ endpoint, region });

const records = (generateSnapshot({ aircraft: Math.ceil(count * 1.25) + 50, seed: 5 }).states ?? [])
  .map((row) => transformStateVector(row))
  .filter((r): r is FlightRecord => r !== null)
  .slice(0, count);
if (records.length < count) throw new Error(`only ${records.length} in-air records generated`);
const payloadBytes = records.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0);
console.log(
  `${fmt(count)} FlightRecords (${fmt(payloadBytes / count)} B JSON each) → ${endpoint}; SDK retries off`,
);

function report(label: string, published: number, failed: number, requests: number, seconds: number) {
  console.log(
    `${label.padEnd(38)} ${fmt(published / seconds).padStart(7)} records/s  ` +
      `${fmt(requests / seconds).padStart(6)} requests/s  ${fmt(seconds, 2).padStart(6)} s  ` +
      `(${published} published, ${failed} failed, ${requests} requests)`,
  );
}

async function newTopic(): Promise<{
  publisher: (concurrency: number) => SnsPublisher<FlightRecord>;
  arn: string;
}> {
  const name = unique(`bench-sns-${Math.random().toString(36).slice(2, 6)}`);
  const first = new SnsPublisher<FlightRecord>({ topicName: name, createIfMissing: true, client });
  const arn = await first.resolveTopic();
  return {
    arn,
    publisher: (concurrency) => new SnsPublisher<FlightRecord>({ topicArn: arn, client, concurrency }),
  };
}

// Baseline: one Publish per record, 4 in flight (fewer records: it is slow).
{
  const { arn } = await newTopic();
  const sample = records.slice(0, Math.min(count, 500));
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < sample.length) {
        const record = sample[next++]!;
        await client
          .send(
            new PublishCommand({
              TopicArn: arn,
              Message: JSON.stringify(record),
              MessageAttributes: {
                origin_country: { DataType: 'String', StringValue: record.origin_country },
              },
            }),
          )
          .catch(() => failed++);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  report('Publish per record, 4 in flight', sample.length - failed, failed, sample.length, seconds);
  await client.send(new DeleteTopicCommand({ TopicArn: arn }));
}

for (const concurrency of [1, 4, 8]) {
  const { arn, publisher: make } = await newTopic();
  const publisher = make(concurrency);
  const started = performance.now();
  const result = await publisher.publish(records);
  const seconds = (performance.now() - started) / 1000;
  report(
    `SnsPublisher, concurrency ${concurrency}`,
    result.published,
    result.failed.length,
    publisher.stats.requests,
    seconds,
  );
  await publisher.close();
  await client.send(new DeleteTopicCommand({ TopicArn: arn }));
}

{
  const { arn, publisher: make } = await newTopic();
  const publisher = make(4);
  const tail = await openTail({ sns: client, sqs: new SQSClient({ ...aws, endpoint, region }) }, arn);
  let draining = true;
  const drain = (async () => {
    while (draining) await tail.receive(1);
  })();
  // moto's SQS slows down as a queue grows (about 350 records/s at 200 queued, under 100 at 1,000),
  // so this case publishes fewer records: it shows the fan-out cost, not the publisher's.
  const sample = records.slice(0, Math.min(count, 500));
  const started = performance.now();
  const result = await publisher.publish(sample);
  const seconds = (performance.now() - started) / 1000;
  draining = false;
  await drain;
  await tail.close();
  report(
    'SnsPublisher, concurrency 4, 1 SQS sub',
    result.published,
    result.failed.length,
    publisher.stats.requests,
    seconds,
  );
  await client.send(new DeleteTopicCommand({ TopicArn: arn }));
}
client.destroy();
