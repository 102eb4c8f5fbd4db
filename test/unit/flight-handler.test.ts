import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { FlightRecord, StateVector } from '../../src/domain/types.ts';
import { FullBatchFailureError } from '../../src/errors.ts';
import { createFlightHandler } from '../../src/handler/handler.ts';
import { buildKafkaEvent, type ConsumedRecord, parseBatchResponse } from '../../src/handler/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { SnsPublisher } from '../../src/sns/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { fakePublisher } from '../support/publishers.ts';
import { stateVector as sv } from '../support/records.ts';
import { startSnsServer } from '../support/sns-server.ts';

const record = (offset: number, value: unknown, partition = 2): ConsumedRecord => ({
  topic: 'aviation-data',
  partition,
  offset: String(offset),
  timestamp: '0',
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

const tracing = () => fakePublisher();
const failing = (...icao24s: string[]) => fakePublisher(...icao24s);

describe('Function: createFlightHandler', () => {
  it('publishes in-air records, counts filtered and malformed, and reports failed publishes for retry', async () => {
    const publisher = failing('bbbbbb');
    const handler = createFlightHandler({ logger: silentLogger, publisher, metrics: false });
    const event = buildKafkaEvent(
      [
        record(1, sv('aaaaaa', false)),
        record(2, sv('bbbbbb', false)),
        record(3, sv('cccccc', true)),
        record(4, '{]'),
        record(5, { a: 1 }),
      ],
      ['b:9092'],
    );
    const result = await handler(event);
    expect(publisher.published[0]!.map((r) => r.icao24)).toEqual(['aaaaaa', 'bbbbbb']);
    expect(result.summary).toEqual({ records: 5, published: 1, filtered: 1, malformed: 2, failed: 1 });
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'aviation-data-2', offset: 2 } },
    ]);
  });

  it('a throwing custom transform marks only its own record failed, not the invocation', async () => {
    const transform = (value: StateVector) => {
      if (value.icao24 === 'cccccc') throw new TypeError('no');
      return transformStateVector(value);
    };
    const handler = createFlightHandler({
      logger: silentLogger,
      publisher: failing(),
      transform,
      metrics: false,
    });
    const result = await handler(
      buildKafkaEvent(
        [record(7, sv('aaaaaa')), record(8, sv('cccccc')), record(9, sv('dddddd'))],
        ['b:9092'],
      ),
    );
    expect(result.summary).toEqual({ records: 3, published: 2, filtered: 0, malformed: 0, failed: 1 });
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'aviation-data-2', offset: 8 } },
    ]);
  });

  it('answers in the form the event source mapping (and the bridge) reads, per partition', async () => {
    const records = [
      record(10, sv('aaaaaa'), 0),
      record(11, sv('bbbbbb'), 0),
      record(12, sv('eeeeee'), 0),
      record(20, sv('bbbbbb'), 1),
      record(21, sv('cccccc'), 1),
    ];
    const handler = createFlightHandler({
      logger: silentLogger,
      publisher: failing('bbbbbb'),
      metrics: false,
    });
    const result = await handler(buildKafkaEvent(records, ['b:9092']));
    expect(parseBatchResponse(JSON.parse(JSON.stringify(result)), records)).toEqual({
      kind: 'partial',
      failedFrom: { 'aviation-data-0': 11, 'aviation-data-1': 20 },
    });
  });

  it('fails the invocation when every record failed, with the per-record errors', async () => {
    const handler = createFlightHandler({
      logger: silentLogger,
      publisher: failing('aaaaaa', 'bbbbbb'),
      metrics: false,
    });
    const error = await handler(
      buildKafkaEvent([record(1, sv('aaaaaa')), record(2, sv('bbbbbb'))], ['b:9092']),
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FullBatchFailureError);
    expect((error as FullBatchFailureError).details.failures).toEqual([
      { partition: 'aviation-data-2', offset: 1, reason: 'InternalError', message: 'x' },
      { partition: 'aviation-data-2', offset: 2, reason: 'InternalError', message: 'x' },
    ]);
  });

  it('handles records with headers without a value (a traceparent among them) like any other', async () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const none = null as unknown as Buffer; // what kafkajs gives for a header without a value
    const publisher = tracing();
    const handler = createFlightHandler({ logger: silentLogger, publisher, metrics: false });
    const result = await handler(
      buildKafkaEvent(
        [
          { ...record(1, sv('aaaaaa')), headers: { traceparent: none, other: none } },
          { ...record(2, sv('bbbbbb')), headers: { traceparent: parent } },
        ],
        ['b:9092'],
      ),
    );
    expect(result.summary).toMatchObject({ records: 2, published: 2, failed: 0 });
    expect(publisher.carried).toEqual([undefined, parent]);
  });

  it('is a success for a batch without records that could fail', async () => {
    const handler = createFlightHandler({ logger: silentLogger, publisher: failing(), metrics: false });
    const result = await handler(
      buildKafkaEvent([record(1, '{]'), record(2, sv('aaaaaa', true))], ['b:9092']),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(result.summary).toMatchObject({ records: 2, malformed: 1, filtered: 1, failed: 0 });
  });
});

describe('Function: createFlightHandler, near the function timeout', () => {
  const TOPIC = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  /** Lambda's context, with `ms` left when the invocation starts. */
  const contextWith = (ms: number) => {
    const end = Date.now() + ms;
    return { getRemainingTimeInMillis: () => end - Date.now() };
  };
  const flights = (n: number) =>
    Array.from({ length: n }, (_, i) => record(i, sv(`a${String(i).padStart(5, '0')}`)));

  it('stops publishing before the remaining time runs out and reports the unconfirmed records as failed (regression: a stalled SNS connection held the invocation)', async () => {
    // Arrange: SNS confirms the first PublishBatch and never answers the second.
    const sns = await startSnsServer({ hold: (n) => n > 1 });
    const publisher = new SnsPublisher<FlightRecord>({
      topicArn: TOPIC,
      client: new SNSClient({ endpoint: sns.endpoint, region: 'us-east-1', credentials }),
      concurrency: 1,
      requestTimeoutMs: 60_000,
    });
    const handler = createFlightHandler({
      logger: silentLogger,
      publisher,
      metrics: false,
      timeoutMarginMs: 1000,
    });
    try {
      // Act: 1.5 s left, so publishing stops after about 0.5 s.
      const result = await handler(buildKafkaEvent(flights(15), ['b:9092']), contextWith(1500));
      // Assert
      expect(result.summary).toEqual({ records: 15, published: 10, filtered: 0, malformed: 0, failed: 5 });
      expect(result.batchItemFailures.map((f) => f.itemIdentifier.offset)).toEqual([10, 11, 12, 13, 14]);
    } finally {
      await publisher.close();
      await sns.close();
    }
  });

  it.each([
    { how: "a client of the caller's", own: true },
    { how: 'the default client (AWS_ENDPOINT_URL_CLOUDWATCH)', own: false },
  ])(
    'bounds the CloudWatch call by the time left, so a stalled metric does not time the invocation out: $how',
    async ({ own }) => {
      // Arrange: a CloudWatch endpoint that accepts connections and never answers.
      const held: ServerResponse[] = [];
      const cloudwatch = createServer((_req, res) => held.push(res));
      await new Promise<void>((resolve) => cloudwatch.listen(0, '127.0.0.1', resolve));
      const { port } = cloudwatch.address() as AddressInfo;
      const warnings: string[] = [];
      const handler = createFlightHandler({
        logger: { ...silentLogger, warn: (message: string) => warnings.push(message) },
        publisher: fakePublisher(),
        metrics: own
          ? {
              client: new CloudWatchClient({
                endpoint: `http://127.0.0.1:${port}`,
                region: 'us-east-1',
                credentials,
              }),
              topicArn: TOPIC,
            }
          : { topicArn: TOPIC },
      });
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${port}`,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      });
      try {
        // Act
        const result = await handler(buildKafkaEvent(flights(2), ['b:9092']), contextWith(3000));
        // Assert: the records count as published; the metric's failure is only a warning.
        expect(result.summary).toMatchObject({ published: 2, failed: 0 });
        expect(warnings).toContain('could not record the published-notifications metric');
        expect(held.length, 'the metric request did not reach the stalled endpoint').toBe(1);
      } finally {
        for (const name of [
          'AWS_ENDPOINT_URL_CLOUDWATCH',
          'AWS_REGION',
          'AWS_ACCESS_KEY_ID',
          'AWS_SECRET_ACCESS_KEY',
        ])
          if (saved[name] === undefined) delete process.env[name];
          else process.env[name] = saved[name];
        for (const res of held) res.destroy();
        cloudwatch.closeAllConnections();
        await new Promise((resolve) => cloudwatch.close(resolve));
      }
    },
  );
});
