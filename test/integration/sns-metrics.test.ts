/**
 * SNS's own CloudWatch metrics on the local endpoint, read back as on AWS:
 * `AWS/SNS` per `TopicName`, through GetMetricStatistics, GetMetricData and
 * `opensky-stream count`. Publish and PublishBatch entries fauxqs accepted are
 * counted (a refused entry is not); deliveries per subscription, a filter
 * policy's rejections apart, and deliveries to a queue that is gone as failed.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { awsClientConfig, cliEnv, uniqueName } from '../support/env.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

const country = (value: string) => ({ origin_country: { DataType: 'String', StringValue: value } });
/** The size SNS counts: the body, and each attribute's name, type and value. */
const sizeOf = (body: string, value: string) =>
  Buffer.byteLength(body) + 'origin_country'.length + 'String'.length + Buffer.byteLength(value);

describe('SNS metrics of the local endpoint (AWS/SNS)', () => {
  const sns = new SNSClient(awsClientConfig());
  const cloudwatch = new CloudWatchClient(awsClientConfig());
  const topicName = uniqueName('metrics-topic');
  let topicArn = '';
  const subscriptions: Subscription[] = [];
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  const sent = [
    { body: '{"icao24":"a1"}', country: 'Germany' },
    { body: '{"icao24":"b2","note":"é"}', country: 'France' },
    { body: '{"icao24":"c3"}', country: 'Germany' },
    { body: '{"icao24":"d4"}', country: 'France' },
  ];

  /** Sum, SampleCount, Minimum, Maximum of `metric` over the test's minutes. */
  async function statistics(metric: string, statistics: Statistic[] = ['Sum']) {
    const { Datapoints = [] } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SNS',
        MetricName: metric,
        Dimensions: [{ Name: 'TopicName', Value: topicName }],
        StartTime: start,
        EndTime: new Date(Date.now() + 120_000),
        Period: 60,
        Statistics: statistics,
      }),
    );
    const sum = (key: 'Sum' | 'SampleCount') => Datapoints.reduce((total, d) => total + (d[key] ?? 0), 0);
    return {
      sum: sum('Sum'),
      samples: sum('SampleCount'),
      min: Math.min(...Datapoints.map((d) => d.Minimum ?? Number.POSITIVE_INFINITY)),
      max: Math.max(...Datapoints.map((d) => d.Maximum ?? Number.NEGATIVE_INFINITY)),
      units: [...new Set(Datapoints.map((d) => d.Unit))],
    };
  }

  beforeAll(async () => {
    topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn!;
    const all = await subscribeQueue(topicArn);
    const france = await subscribeQueue(topicArn, { filterPolicy: { origin_country: ['France'] } });
    const gone = await subscribeQueue(topicArn);
    subscriptions.push(all, france, gone);
    // A subscription whose queue was deleted: SNS cannot deliver to it.
    await gone.sqs.send(new DeleteQueueCommand({ QueueUrl: gone.queueUrl }));

    const [first, ...rest] = sent;
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: first!.body,
        MessageAttributes: country(first!.country),
      }),
    );
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          ...rest.map((m, i) => ({ Id: `m${i}`, Message: m.body, MessageAttributes: country(m.country) })),
          // Over SNS's 256 KB: refused, so not published.
          { Id: 'too-big', Message: 'x'.repeat(262_145) },
        ],
      }),
    );
    expect(batch.Successful).toHaveLength(3);
    expect(batch.Failed?.map((f) => f.Id)).toEqual(['too-big']);
  }, 60_000);

  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.close();
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn })).catch(() => undefined);
  });

  it('counts published messages, deliveries, failures and filtered-out deliveries with their units', async () => {
    // Read at once: the endpoint sends what it recorded before any CloudWatch call.
    expect(await statistics('NumberOfMessagesPublished', ['Sum', 'SampleCount'])).toMatchObject({
      sum: 4,
      samples: 4,
      units: ['Count'],
    });
    // Every message to the unfiltered queue, the French ones to the filtered queue.
    expect((await statistics('NumberOfNotificationsDelivered')).sum).toBe(4 + 2);
    expect((await statistics('NumberOfNotificationsFilteredOut')).sum).toBe(2);
    expect((await statistics('NumberOfNotificationsFailed')).sum).toBe(4);
    // The queues got what the metric says.
    expect(await subscriptions[1]!.receive(2, 10_000)).toHaveLength(2);
  });

  it('records PublishSize in Bytes per message (Minimum, Maximum, Average)', async () => {
    const sizes = sent.map((m) => sizeOf(m.body, m.country));
    const size = await statistics('PublishSize', ['Sum', 'SampleCount', 'Minimum', 'Maximum']);
    expect(size).toEqual({
      sum: sizes.reduce((a, b) => a + b, 0),
      samples: 4,
      min: Math.min(...sizes),
      max: Math.max(...sizes),
      units: ['Bytes'],
    });
  });

  it('answers GetMetricData the same', async () => {
    const { MetricDataResults = [] } = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: new Date(Date.now() + 120_000),
        MetricDataQueries: [
          {
            Id: 'published',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SNS',
                MetricName: 'NumberOfMessagesPublished',
                Dimensions: [{ Name: 'TopicName', Value: topicName }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect(MetricDataResults[0]?.Values?.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('`opensky-stream count` reads NumberOfMessagesPublished, in its usual output', async () => {
    const json = await runCli(['count', '--topic-name', topicName, '--minutes', '5', '--json'], cliEnv());
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ topic: topicName, minutes: 5, total: 4 });
    const text = await runCli(['count', '--topic-name', topicName], cliEnv());
    expect(text.stdout).toContain(`4 notifications published to ${topicName} in the last 5 min`);
  }, 60_000);
});
