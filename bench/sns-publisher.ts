/**
 * SnsPublisher against the local AWS endpoint (fauxqs behind the router):
 * records/s, requests/s and this process's CPU per request for
 *   - one Publish call per record (what a publisher without batching does), as a baseline,
 *   - SnsPublisher (PublishBatch) through the SDK and through its own signed
 *     query-protocol transport, at concurrency 4 and 16, no subscriber,
 *   - SnsPublisher (defaults) with one SQS subscriber drained in parallel.
 * Absolute figures measure the local endpoint on this machine, not AWS; the ratios are the point.
 *
 *   npx node bench/sns-publisher.ts [records]      (default 2000; env BENCH_RECORDS too)
 *   npm run bench -- sns-publisher
 */
import { DeleteTopicCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openTail } from '../src/cli/tail.ts';
import type { FlightRecord } from '../src/domain/types.ts';
import { createSnsClient, SnsPublisher } from '../src/sns/index.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { transformStateVector } from '../src/transform/index.ts';
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
const items = records.map((record) => ({ record }));
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

async function newTopic(): Promise<{ arn: string }> {
  const name = unique(`bench-sns-${Math.random().toString(36).slice(2, 6)}`);
  const first = new SnsPublisher<FlightRecord>({ topicName: name, createIfMissing: true, client });
  const arn = await first.resolveTopic();
  return { arn };
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

for (const transport of ['sdk', 'query'] as const) {
  for (const concurrency of [4, 16]) {
    const { arn } = await newTopic();
    const publisher = new SnsPublisher<FlightRecord>({ topicArn: arn, client, concurrency, transport });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await publisher.publish(items);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    report(
      `SnsPublisher, ${transport}, concurrency ${concurrency}`,
      result.published,
      result.failed.length,
      publisher.stats.requests,
      seconds,
    );
    console.log(
      `${''.padEnd(38)} client CPU ${fmt((used.user + used.system) / publisher.stats.requests, 0)} µs per PublishBatch`,
    );
    await publisher.close();
    await client.send(new DeleteTopicCommand({ TopicArn: arn }));
  }
}

{
  const { arn } = await newTopic();
  const publisher = new SnsPublisher<FlightRecord>({ topicArn: arn, client, transport: 'query' });
  const tail = await openTail({ sns: client, sqs: new SQSClient({ ...aws, endpoint, region }) }, arn);
  const receiving = new AbortController();
  let received = 0;
  const drain = tail.drain(
    (messages) => {
      received += messages.length;
      if (received >= count) receiving.abort();
    },
    { signal: receiving.signal },
  );
  const started = performance.now();
  const result = await publisher.publish(items);
  await drain;
  const seconds = (performance.now() - started) / 1000;
  await tail.close();
  report(
    'SnsPublisher, 1 SQS sub, all received',
    result.published,
    result.failed.length,
    publisher.stats.requests,
    seconds,
  );
  await client.send(new DeleteTopicCommand({ TopicArn: arn }));
}
client.destroy();
