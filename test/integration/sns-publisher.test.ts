import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlightRecord } from '../../src/domain/types.ts';
import { SnsPublishError } from '../../src/errors.ts';
import { type PublishResult, SnsPublisher, type SnsPublisherOptions } from '../../src/sns/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

const endpoint = process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566';

describe('SnsPublisher on the local AWS endpoint', () => {
  const sns = new SNSClient({ ...awsClientConfig(), endpoint });
  const topics: string[] = [];
  const queues: Subscription[] = [];
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    for (const TopicArn of topics)
      await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
    sns.destroy();
  });

  /** A publisher on a fresh topic, and an SQS queue subscribed to it with raw delivery. */
  async function setUp(
    options: {
      fifo?: boolean;
      filterPolicy?: Record<string, unknown>;
    } & SnsPublisherOptions<FlightRecord> = {},
  ) {
    const { fifo, filterPolicy, ...publisherOptions } = options;
    const publisher = new SnsPublisher<FlightRecord>({
      topicName: `${uniqueName('FlightNotifications')}${fifo ? '.fifo' : ''}`,
      createIfMissing: true,
      client: sns,
      // The default transport of a publisher without a client of its own, as the Lambda runs it.
      transport: 'query',
      ...publisherOptions,
    });
    const topicArn = await publisher.resolveTopic();
    topics.push(topicArn);
    const queue = await subscribeQueue(topicArn, {
      raw: true,
      ...(fifo ? { fifo } : {}),
      ...(filterPolicy ? { filterPolicy } : {}),
    });
    queues.push(queue);
    return { publisher, topicArn, queue };
  }

  // Real-looking records: synthetic OpenSky rows through the shared transform.
  const flights = (count: number, seed = 11): FlightRecord[] => {
    const records = (generateSnapshot({ aircraft: count * 2, seed }).states ?? [])
      .map((row) => transformStateVector(row))
      .filter((r): r is FlightRecord => r !== null)
      .slice(0, count);
    expect(records).toHaveLength(count);
    return records;
  };

  const body = (message: { Body?: string }) => JSON.parse(message.Body!) as FlightRecord;
  const items = <R>(records: readonly R[]) => records.map((record) => ({ record }));
  const summary = ({ published, failed }: PublishResult<unknown>) => ({ published, failed: failed.length });

  it('publishes 35 records in several PublishBatch calls; SQS receives each body and its attributes intact', async () => {
    // Arrange
    const { publisher, queue } = await setUp({
      attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
    });
    const records = flights(35);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    // Act
    const result = await publisher.publish(records.map((record) => ({ record, traceparent })));
    const received = await queue.receive(35);

    // Assert
    expect(summary(result)).toEqual({ published: 35, failed: 0 });
    expect(result.results.every((r) => r.outcome === 'published' && r.messageId !== '')).toBe(true);
    expect(publisher.stats).toMatchObject({ published: 35, failed: 0, requests: 4, retries: 0 });
    expect(publisher.stats.bytes).toBeGreaterThan(0);
    const byIcao = new Map(received.map((m) => [body(m).icao24, m]));
    expect(byIcao.size).toBe(35);
    for (const record of records) {
      const message = byIcao.get(record.icao24)!;
      expect(body(message)).toEqual(record);
      expect(message.MessageAttributes?.origin_country).toMatchObject({
        DataType: 'String',
        StringValue: record.origin_country,
      });
      expect(message.MessageAttributes?.altitude_feet).toMatchObject({
        DataType: 'Number',
        StringValue: String(record.altitude_feet),
      });
      expect(message.MessageAttributes?.traceparent?.StringValue).toBe(traceparent);
    }
  });

  it('lets a filter policy on origin_country deliver only that country', async () => {
    const records = flights(35, 23);
    const country = records[0]!.origin_country;
    const { publisher, queue } = await setUp({ filterPolicy: { origin_country: [country] } });

    expect(summary(await publisher.publish(items(records)))).toEqual({ published: 35, failed: 0 });

    const expected = records.filter((r) => r.origin_country === country).map((r) => r.icao24);
    expect(expected.length).toBeLessThan(35);
    const received = await queue.receive(expected.length);
    expect(received.map((m) => body(m).icao24).sort()).toEqual(expected.sort());
    expect(await queue.receive(1, 1500)).toEqual([]);
  });

  it('lets a numeric filter policy on a Number attribute deliver one altitude band', async () => {
    const records = flights(30, 5);
    const { publisher, queue } = await setUp({
      attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
      filterPolicy: { altitude_feet: [{ numeric: ['>=', 20_000, '<', 30_000] }] },
    });

    expect(summary(await publisher.publish(items(records)))).toEqual({ published: 30, failed: 0 });

    const expected = records.filter((r) => r.altitude_feet >= 20_000 && r.altitude_feet < 30_000);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(30);
    const received = await queue.receive(expected.length);
    expect(received.map((m) => body(m).icao24).sort()).toEqual(expected.map((r) => r.icao24).sort());
    expect(await queue.receive(1, 1500)).toEqual([]);
  });

  it('publishes to a FIFO topic and FIFO queue with icao24 as the message group, deduplicating repeats', async () => {
    const { publisher, queue } = await setUp({ fifo: true });
    const records = flights(24, 31);

    expect(summary(await publisher.publish(items(records)))).toEqual({ published: 24, failed: 0 });
    // The same positions again: SNS accepts them but deduplicates them.
    expect(summary(await publisher.publish(items(records.slice(0, 5))))).toEqual({ published: 5, failed: 0 });

    const received = await queue.receive(24);
    expect(received.map((m) => body(m).icao24).sort()).toEqual(records.map((r) => r.icao24).sort());
    for (const message of received) expect(message.Attributes?.MessageGroupId).toBe(body(message).icao24);
    expect(await queue.receive(1, 1500)).toEqual([]);
  });

  it('finds an existing topic by name, with a client built from the environment', async () => {
    const name = uniqueName('FlightNotifications');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    topics.push(TopicArn!);
    const queue = await subscribeQueue(TopicArn!);
    queues.push(queue);
    await using publisher = new SnsPublisher<FlightRecord>({
      topicName: name,
      region: process.env.AWS_REGION ?? 'us-east-1',
      endpoint,
    });

    expect(await publisher.resolveTopic()).toBe(TopicArn);
    const [record] = flights(1, 3);
    const messageId = await publisher.publishOne(record!);

    expect(messageId).not.toBe('');
    const [message] = await queue.receive(1);
    expect(body(message!)).toEqual(record);
  });

  it('fails clearly when the topic does not exist and creation is off', async () => {
    const publisher = new SnsPublisher({ topicName: uniqueName('missing'), client: sns });
    const error = await publisher.publish([{ record: { icao24: 'abc123' } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnsPublishError);
    expect(String(error)).toMatch(/does not exist/);
  });

  it('reports the records of a deleted topic as failed, without retrying a client fault', async () => {
    const { publisher, topicArn } = await setUp();
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const records = flights(12, 41);

    const result = await publisher.publish(items(records));

    expect(result.published).toBe(0);
    // Batches run concurrently, so failures come back in completion order.
    const byIcao = (a: { icao24: string }, b: { icao24: string }) => a.icao24.localeCompare(b.icao24);
    expect(result.failed.map((f) => f.record).sort(byIcao)).toEqual([...records].sort(byIcao));
    expect(result.failed[0]!.code).toMatch(/NotFound/);
    expect(publisher.stats.retries).toBe(0);
  });

  it.each(['query', 'sdk'] as const)(
    'publishes the same messages and attributes through the %s transport, special characters intact',
    async (transport) => {
      const { publisher, queue } = await setUp({
        transport,
        attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
      });
      const records = flights(25, 7).map((r, i) =>
        i === 0 ? { ...r, callsign: 'A&B <"x">', origin_country: "Côte d'Ivoire +*()!~ %20" } : r,
      );
      const result = await publisher.publish(items(records));
      expect(summary(result)).toEqual({ published: 25, failed: 0 });
      const received = await queue.receive(25);
      const byIcao = (a: { icao24: string }, b: { icao24: string }) => a.icao24.localeCompare(b.icao24);
      expect(received.map(body).sort(byIcao)).toEqual([...records].sort(byIcao));
      const special = received.find((m) => body(m).icao24 === records[0]!.icao24)!;
      expect(special.MessageAttributes?.origin_country?.StringValue).toBe("Côte d'Ivoire +*()!~ %20");
      expect(special.MessageAttributes?.altitude_feet).toMatchObject({
        DataType: 'Number',
        StringValue: String(records[0]!.altitude_feet),
      });
    },
  );

  it('classifies a missing topic as a client fault through the query transport (no retries)', async () => {
    const { publisher, topicArn } = await setUp({ transport: 'query' });
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const result = await publisher.publish(items(flights(3, 5)));
    expect(result.published).toBe(0);
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(result.failed[0]!.code).toMatch(/NotFound/);
    expect(publisher.stats.retries).toBe(0);
  });
});
