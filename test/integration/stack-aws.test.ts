import {
  CreateTopicCommand,
  DeleteTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

describe('stack: AWS endpoint (SNS → SQS)', () => {
  const sns = new SNSClient(awsClientConfig());
  let topicArn: string;
  let all: Subscription;
  let swiss: Subscription;

  beforeAll(async () => {
    topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('stack-topic') }))).TopicArn!;
    all = await subscribeQueue(topicArn);
    swiss = await subscribeQueue(topicArn, { filterPolicy: { origin_country: ['Switzerland'] } });
  });
  afterAll(async () => {
    await all.close();
    await swiss.close();
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
  });

  it('delivers Publish and PublishBatch with the origin_country attribute intact, and filters by it', async () => {
    const attr = (country: string) => ({ origin_country: { DataType: 'String', StringValue: country } });
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: '{"icao24":"4b1816"}',
        MessageAttributes: attr('Switzerland'),
      }),
    );
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: '{"icao24":"aa3cbe"}', MessageAttributes: attr('United States') },
          { Id: 'b', Message: '{"icao24":"c822af"}', MessageAttributes: attr('New Zealand') },
          { Id: 'c', Message: '{"icao24":"4b1817"}', MessageAttributes: attr('Switzerland') },
        ],
      }),
    );
    expect(batch.Failed ?? []).toEqual([]);

    const received = await all.receive(4);
    const byIcao = Object.fromEntries(
      received.map((m) => [
        (JSON.parse(m.Body!) as { icao24: string }).icao24,
        m.MessageAttributes?.origin_country?.StringValue,
      ]),
    );
    expect(byIcao).toEqual({
      '4b1816': 'Switzerland',
      aa3cbe: 'United States',
      c822af: 'New Zealand',
      '4b1817': 'Switzerland',
    });
    const filtered = await swiss.receive(2);
    expect(filtered.map((m) => (JSON.parse(m.Body!) as { icao24: string }).icao24).sort()).toEqual([
      '4b1816',
      '4b1817',
    ]);
    // Nothing else reaches the filtered queue.
    expect(await swiss.receive(1, 2000)).toEqual([]);
  });

  it('wraps the message in the SNS envelope without raw delivery, String and Number attributes typed', async () => {
    const enveloped = await subscribeQueue(topicArn, { raw: false });
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: '{"icao24":"3c6444"}',
          MessageAttributes: {
            origin_country: { DataType: 'String', StringValue: 'Germany' },
            baro_altitude: { DataType: 'Number', StringValue: '11277.6' },
          },
        }),
      );
      const [message] = await enveloped.receive(1);
      expect(message?.MessageAttributes).toBeUndefined();
      expect(JSON.parse(message!.Body!)).toMatchObject({
        Type: 'Notification',
        TopicArn: topicArn,
        Message: '{"icao24":"3c6444"}',
        MessageAttributes: {
          origin_country: { Type: 'String', Value: 'Germany' },
          baro_altitude: { Type: 'Number', Value: '11277.6' },
        },
      });
    } finally {
      await enveloped.close();
    }
  });
});
