import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { SnsPublisher } from '../../src/sns/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import type { FlightRecord } from '../../src/transform/types.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { subscribeQueue } from '../support/sqs.ts';

describe('SnsPublisher on the local AWS endpoint', () => {
  const client = new SNSClient(awsClientConfig());
  const topics: string[] = [];
  afterAll(async () => {
    for (const TopicArn of topics)
      await client.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
  });

  const flights = (): FlightRecord[] =>
    (generateSnapshot({ aircraft: 60, seed: 11 }).states ?? [])
      .map((row) => transformStateVector(row))
      .filter((r): r is FlightRecord => r !== null)
      .slice(0, 35);

  it('publishes every record (several PublishBatch calls) with origin_country; SQS receives them intact', async () => {
    const publisher = new SnsPublisher<FlightRecord>({
      topicName: uniqueName('FlightNotifications'),
      createIfMissing: true,
      client,
    });
    const topicArn = await publisher.resolveTopic();
    topics.push(topicArn);
    const queue = await subscribeQueue(topicArn);
    const records = flights();
    expect(records).toHaveLength(35);

    const result = await publisher.publish(records);
    expect(result).toEqual({ published: 35, failed: [] });
    expect(publisher.stats.requests).toBeGreaterThanOrEqual(4);

    const received = await queue.receive(35);
    await queue.close();
    const byIcao = new Map(received.map((m) => [(JSON.parse(m.Body!) as FlightRecord).icao24, m]));
    expect(byIcao.size).toBe(35);
    for (const record of records) {
      const message = byIcao.get(record.icao24)!;
      expect(JSON.parse(message.Body!)).toEqual(record);
      expect(message.MessageAttributes?.origin_country?.StringValue).toBe(record.origin_country);
    }
  });

  it('lets a filter policy on origin_country deliver only that country', async () => {
    const publisher = new SnsPublisher<FlightRecord>({
      topicName: uniqueName('FlightNotifications'),
      createIfMissing: true,
      client,
    });
    const topicArn = await publisher.resolveTopic();
    topics.push(topicArn);
    const records = flights();
    const country = records[0]!.origin_country;
    const queue = await subscribeQueue(topicArn, { filterPolicy: { origin_country: [country] } });
    await publisher.publish(records);
    const expected = records
      .filter((r) => r.origin_country === country)
      .map((r) => r.icao24)
      .sort();
    const received = await queue.receive(expected.length);
    expect(received.map((m) => (JSON.parse(m.Body!) as FlightRecord).icao24).sort()).toEqual(expected);
    expect(await queue.receive(1, 1500)).toEqual([]);
    await queue.close();
  });

  it('publishes to a FIFO topic with group and deduplication ids', async () => {
    const publisher = new SnsPublisher<FlightRecord>({
      topicName: `${uniqueName('Flights')}.fifo`,
      createIfMissing: true,
      client,
    });
    const topicArn = await publisher.resolveTopic();
    topics.push(topicArn);
    const queue = await subscribeQueue(topicArn, { fifo: true });
    const records = flights().slice(0, 12);
    expect(await publisher.publish(records)).toEqual({ published: 12, failed: [] });
    const received = await queue.receive(12);
    expect(received.map((m) => (JSON.parse(m.Body!) as FlightRecord).icao24).sort()).toEqual(
      records.map((r) => r.icao24).sort(),
    );
    await queue.close();
  });

  it('fails clearly when the topic does not exist and creation is off', async () => {
    const publisher = new SnsPublisher({ topicName: uniqueName('missing'), client });
    await expect(publisher.publish([{ icao24: 'x' }])).rejects.toThrow(/does not exist/);
  });
});
