/**
 * The handler's own CloudWatch metric, `OpenSkyStream/NotificationsPublished` by `TopicName`,
 * read back from the stack's CloudWatch with the SDK: sent by the handler's lean signed request
 * (the default client) and through a client of the caller's (its `send`).
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/handler/event.ts';
import { createFlightHandler } from '../../src/handler/handler.ts';
import { buildKafkaEvent, METRIC_NAMESPACE, METRIC_PUBLISHED } from '../../src/handler/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { fakePublisher } from '../support/publishers.ts';
import { stateVector } from '../support/records.ts';

const records = (icao24s: string[]): ConsumedRecord[] =>
  icao24s.map((icao24, i) => ({
    topic: 'aviation-data',
    partition: 0,
    offset: String(i),
    timestamp: '0',
    key: null,
    value: Buffer.from(JSON.stringify(stateVector(icao24, false))),
  }));

/** The metric's sum over the last minutes for `topicName`. */
async function publishedSum(topicName: string): Promise<number> {
  const now = Date.now();
  const { Datapoints = [] } = await new CloudWatchClient(awsClientConfig()).send(
    new GetMetricStatisticsCommand({
      Namespace: METRIC_NAMESPACE,
      MetricName: METRIC_PUBLISHED,
      Dimensions: [{ Name: 'TopicName', Value: topicName }],
      StartTime: new Date(now - 10 * 60_000),
      EndTime: new Date(now + 2 * 60_000),
      Period: 60,
      Statistics: ['Sum'],
    }),
  );
  return Datapoints.reduce((sum, d) => sum + (d.Sum ?? 0), 0);
}

describe("the handler's published-notifications metric", () => {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    // The default client reads the environment, as in a Lambda function.
    const { endpoint, region, credentials } = awsClientConfig();
    for (const [name, value] of Object.entries({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each([
    { how: 'the default client (a signed query request of its own)', own: false },
    { how: "a client of the caller's (its send)", own: true },
  ])('adds what each invocation published, sent through $how', async ({ own }) => {
    const topicName = uniqueName('metric-topic');
    const topicArn = `arn:aws:sns:us-east-1:000000000000:${topicName}`;
    const warnings: string[] = [];
    const errors: unknown[] = [];
    const handler = createFlightHandler({
      logger: {
        ...silentLogger,
        warn: (message: string, fields?: object) => {
          warnings.push(message);
          errors.push(fields);
        },
      },
      publisher: fakePublisher(),
      metrics: own ? { topicArn, client: new CloudWatchClient(awsClientConfig()) } : { topicArn },
    });
    const first = await handler(buildKafkaEvent(records(['aaaaa1', 'aaaaa2', 'aaaaa3']), ['b:9092']));
    const second = await handler(buildKafkaEvent(records(['bbbbb1', 'bbbbb2']), ['b:9092']));
    expect(warnings, JSON.stringify(errors)).toEqual([]);
    expect(first.summary.published + second.summary.published).toBe(5);
    expect(await publishedSum(topicName)).toBe(5);
  });
});
