/**
 * On-failure destinations of a Kafka event source, against AWS's examples in
 * "Capturing discarded batches for Amazon MSK and self-managed Apache Kafka
 * event sources" (docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html):
 * "SNS and SQS example invocation record" and "Record format for a Kafka
 * destination". The SDK clients are stand-ins recording what they are sent.
 */
import type { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, type SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { FailedRecords } from '../../src/bridge/dead-letter.ts';
import {
  buildKafkaDestinationRecord,
  buildKafkaInvocationRecord,
  createOnFailureDestination,
  OnFailureDeliveryError,
  parseOnFailureDestination,
} from '../../src/bridge/on-failure.ts';
import { resolveOnFailureDestinationOptions } from '../../src/bridge/on-failure-options.ts';
import { ConfigError } from '../../src/errors.ts';
import { buildKafkaEvent, type ConsumedRecord } from '../../src/handler/event.ts';

const consumed = (
  topic: string,
  partition: number,
  offset: string,
  iso: string,
  value = 'v',
): ConsumedRecord => ({
  topic,
  partition,
  offset,
  timestamp: String(Date.parse(iso)),
  key: null,
  value: Buffer.from(value),
  headers: {},
});

// The docs' example: offsets and timestamps of partitions 0 and 1 of topic "Topic".
const FIRST = '49601189658422359378836298521827638475320189012309704722';
const LAST = '49601189658422359378836298522902373528957594348623495186';
const docsRecords = [
  consumed('Topic', 0, LAST, '2019-11-14T00:38:05.580Z'),
  consumed('Topic', 0, FIRST, '2019-11-14T00:38:04.835Z'),
  consumed('Topic', 1, FIRST, '2019-11-14T00:38:04.835Z'),
  consumed('Topic', 1, LAST, '2019-11-14T00:38:05.580Z'),
];
const MSK_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2';

const failure = (overrides: Partial<FailedRecords> = {}): FailedRecords => ({
  records: docsRecords,
  reason: 'retries-exhausted',
  error: { type: 'Unhandled', message: 'boom' },
  attempts: 1,
  functionName: 'myfunction',
  ...overrides,
});

const context = {
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:myfunction',
  bootstrapServers: ['b-1.example:9092', 'b-2.example:9092'],
  eventSourceArn: MSK_ARN,
  requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
  timestamp: new Date('2019-11-14T00:38:06.021Z'),
};

describe('buildKafkaInvocationRecord: the SNS and SQS example invocation record', () => {
  it('builds the documented record: contexts, version, timestamp and per-partition offsets and timestamps', () => {
    // Act
    const record = buildKafkaInvocationRecord(failure(), context);

    // Assert
    expect(record).toEqual({
      requestContext: {
        requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:myfunction',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2019-11-14T00:38:06.021Z',
      KafkaBatchInfo: {
        batchSize: 4,
        eventSourceArn: MSK_ARN,
        bootstrapServers: 'b-1.example:9092,b-2.example:9092',
        payloadSize: expect.any(Number),
        recordsInfo: {
          'Topic-0': {
            firstRecordOffset: FIRST,
            lastRecordOffset: LAST,
            firstRecordTimestamp: '2019-11-14T00:38:04.835Z',
            lastRecordTimestamp: '2019-11-14T00:38:05.580Z',
          },
          'Topic-1': {
            firstRecordOffset: FIRST,
            lastRecordOffset: LAST,
            firstRecordTimestamp: '2019-11-14T00:38:04.835Z',
            lastRecordTimestamp: '2019-11-14T00:38:05.580Z',
          },
        },
      },
    });
    expect(Object.keys(record)).toEqual([
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KafkaBatchInfo',
    ]);
  });

  it('counts payloadSize as the bytes of the event the records make, and sends no payload', () => {
    // Arrange
    const records = [consumed('t', 0, '1', '2024-01-01T00:00:00Z', 'ü'.repeat(100))];

    // Act
    const record = buildKafkaInvocationRecord(failure({ records }), {
      ...context,
      eventSourceArn: undefined,
    });

    // Assert
    const event = buildKafkaEvent(records, context.bootstrapServers);
    expect(record.KafkaBatchInfo.payloadSize).toBe(Buffer.byteLength(JSON.stringify(event)));
    expect(record).not.toHaveProperty('payload');
    expect(record.KafkaBatchInfo).not.toHaveProperty('eventSourceArn');
  });

  it('answers responseContext null for MaximumPayloadSizeExceeded, as documented', () => {
    const record = buildKafkaInvocationRecord(failure({ reason: 'unrepresentable', attempts: 0 }), context);
    expect(record.requestContext.condition).toBe('MaximumPayloadSizeExceeded');
    expect(record.responseContext).toBeNull();
  });

  it('marks expired records RecordAgeExceeded; with no invocation there is no response', () => {
    const record = buildKafkaInvocationRecord(
      failure({ reason: 'expired', attempts: 0, error: undefined }),
      context,
    );
    expect(record.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(record.responseContext).toBeNull();
  });

  it('reports functionError only for function errors (Handled, Unhandled), not for a partial batch', () => {
    const partial = buildKafkaInvocationRecord(
      failure({ error: { type: 'Partial', message: 'x' }, attempts: 4 }),
      {
        ...context,
        executedVersion: '7',
      },
    );
    expect(partial.responseContext).toEqual({ statusCode: 200, executedVersion: '7' });
    expect(partial.requestContext.approximateInvokeCount).toBe(4);
    const handled = buildKafkaInvocationRecord(
      failure({ error: { type: 'Handled', message: 'x' } }),
      context,
    );
    expect(handled.responseContext?.functionError).toBe('Handled');
  });

  it('makes a fresh request id per record when none is given', () => {
    const { requestId: _, ...rest } = context;
    const a = buildKafkaInvocationRecord(failure(), rest).requestContext.requestId;
    const b = buildKafkaInvocationRecord(failure(), rest).requestContext.requestId;
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

describe('buildKafkaDestinationRecord: the record format for a Kafka destination', () => {
  it('holds one record as payload, exactly as the documented example', () => {
    // Arrange: the docs' record, key "test-key", value "test-value"
    const record: ConsumedRecord = {
      topic: 'my-topic',
      partition: 0,
      offset: '100',
      timestamp: '1749116692330',
      key: Buffer.from('test-key'),
      value: Buffer.from('test-value'),
      headers: {},
    };
    const ctx = {
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST',
      bootstrapServers: ['b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098'],
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
      requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
      timestamp: new Date('2019-11-14T18:16:05.568Z'),
    };

    // Act
    const out = buildKafkaDestinationRecord(failure({ records: [record], attempts: 3 }), record, ctx);

    // Assert
    expect(out.payload).toEqual({
      bootstrapServers: 'b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098',
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
      records: {
        'my-topic-0': [
          {
            headers: [],
            key: 'dGVzdC1rZXk=',
            offset: 100,
            partition: 0,
            timestamp: 1749116692330,
            timestampType: 'CREATE_TIME',
            topic: 'my-topic',
            value: 'dGVzdC12YWx1ZQ==',
          },
        ],
      },
    });
    expect(out.KafkaBatchInfo).toEqual({
      batchSize: 1,
      eventSourceArn: ctx.eventSourceArn,
      bootstrapServers: ctx.bootstrapServers[0],
      payloadSize: Buffer.byteLength(JSON.stringify(out.payload)),
      recordInfo: { offset: '100', timestamp: '2025-06-05T09:44:52.330Z' },
    });
    expect(out.requestContext).toMatchObject({ approximateInvokeCount: 3, functionArn: ctx.functionArn });
    expect(out.version).toBe('1.0');
  });
});

describe('parseOnFailureDestination', () => {
  it('reads SQS queue and SNS topic ARNs, and kafka://<topic>', () => {
    expect(parseOnFailureDestination('arn:aws:sqs:us-east-1:123456789012:dest-queue')).toEqual({
      type: 'sqs',
      arn: 'arn:aws:sqs:us-east-1:123456789012:dest-queue',
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      name: 'dest-queue',
    });
    expect(parseOnFailureDestination('arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts')).toMatchObject({
      type: 'sns',
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
    });
    expect(parseOnFailureDestination('kafka://failed-records-topic')).toEqual({
      type: 'kafka',
      topic: 'failed-records-topic',
    });
  });

  it.each([
    ['', 'empty'],
    ['arn:aws:s3:::dest-bucket', 'an S3 bucket'],
    ['arn:aws:lambda:us-east-1:123456789012:function:f', 'a function'],
    ['arn:aws:sqs:us-east-1:123456789012:q.fifo', 'a FIFO queue'],
    ['arn:aws:sns:us-east-1:123456789012:t.fifo', 'a FIFO topic'],
    ['arn:aws:sqs:useast1:123456789012:q', 'a bad region'],
    ['arn:aws:sqs:us-east-1:1234:q', 'a bad account'],
    ['arn:aws:sqs:us-east-1:123456789012:bad/name', 'a bad queue name'],
    ['kafka://', 'kafka:// without a topic'],
    ['kafka://.hidden', 'a topic starting with a dot'],
    ['kafka://a b', 'a topic with a space'],
    [`arn:aws:sns:us-east-1:123456789012:${'t'.repeat(320)}`, 'over 350 characters'],
    ['https://sqs.us-east-1.amazonaws.com/123456789012/q', 'a queue URL'],
  ])('rejects %s (%s) as a ConfigError on the destination', (destination) => {
    expect(() => parseOnFailureDestination(destination)).toThrow(ConfigError);
    expect(() => parseOnFailureDestination(destination)).toThrow(
      /^\/DestinationConfig\/OnFailure\/Destination /,
    );
  });
});

/** A client stand-in: answers each command with `answer`, recording what it was sent. */
function fakeClient(answer: (command: object) => unknown) {
  const sent: object[] = [];
  return {
    sent,
    client: {
      send: async (command: object) => {
        sent.push(command);
        const result = answer(command);
        if (result instanceof Error) throw result;
        return result;
      },
    } as never,
  };
}

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });

describe('createOnFailureDestination', () => {
  const queueArn = 'arn:aws:sqs:eu-west-1:111122223333:dlq';
  const topicArn = 'arn:aws:sns:eu-west-1:111122223333:failures';

  it('sends an SQS queue the invocation record with SendMessage, looking the queue URL up once', async () => {
    // Arrange
    const { client, sent } = fakeClient((c) =>
      c instanceof GetQueueUrlCommand ? { QueueUrl: 'https://sqs.example/111122223333/dlq' } : {},
    );
    const destination = createOnFailureDestination(queueArn, {
      sqs: client,
      bootstrapServers: ['kafka:9092'],
      now: () => new Date('2024-08-01T12:00:00Z'),
    });

    // Act
    if (destination.kind === 'kafka') throw new Error('expected a queue');
    await destination.deliver(failure());
    await destination.deliver(failure({ reason: 'expired', attempts: 0 }));

    // Assert
    expect(sent.map((c) => c.constructor.name)).toEqual([
      'GetQueueUrlCommand',
      'SendMessageCommand',
      'SendMessageCommand',
    ]);
    expect((sent[0] as GetQueueUrlCommand).input).toEqual({
      QueueName: 'dlq',
      QueueOwnerAWSAccountId: '111122223333',
    });
    const message = (sent[1] as SendMessageCommand).input;
    expect(message.QueueUrl).toBe('https://sqs.example/111122223333/dlq');
    const body = JSON.parse(message.MessageBody!);
    expect(body).toMatchObject({
      requestContext: {
        functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:myfunction',
        condition: 'RetryAttemptsExhausted',
      },
      timestamp: '2024-08-01T12:00:00.000Z',
      KafkaBatchInfo: { batchSize: 4, bootstrapServers: 'kafka:9092' },
    });
    expect(JSON.parse((sent[2] as SendMessageCommand).input.MessageBody!).requestContext.condition).toBe(
      'RecordAgeExceeded',
    );
  });

  it('publishes to an SNS topic with Publish, keeping a function name that is an ARN', async () => {
    // Arrange
    const { client, sent } = fakeClient(() => ({ MessageId: 'm-1' }));
    const destination = createOnFailureDestination(topicArn, { sns: client });
    const fnArn = 'arn:aws:lambda:us-east-1:444455556666:function:other:live';

    // Act
    if (destination.kind === 'kafka') throw new Error('expected a topic');
    await destination.deliver(failure({ functionName: fnArn }));

    // Assert
    expect(sent).toHaveLength(1);
    const input = (sent[0] as PublishCommand).input;
    expect(input.TopicArn).toBe(topicArn);
    expect(JSON.parse(input.Message!).requestContext.functionArn).toBe(fnArn);
  });

  it('takes the function ARN from options, as a string or a function of the name', async () => {
    const { client, sent } = fakeClient(() => ({}));
    const fixed = createOnFailureDestination(topicArn, {
      sns: client,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    });
    const made = createOnFailureDestination(topicArn, {
      sns: client,
      functionArn: (name) => `arn:x:${name}`,
    });
    if (fixed.kind === 'kafka' || made.kind === 'kafka') throw new Error('expected topics');
    await fixed.deliver(failure());
    await made.deliver(failure());
    const arns = sent.map((c) => JSON.parse((c as PublishCommand).input.Message!).requestContext.functionArn);
    expect(arns).toEqual(['arn:aws:lambda:us-east-1:123456789012:function:f', 'arn:x:myfunction']);
  });

  it('sends nothing for an empty batch', async () => {
    const { client, sent } = fakeClient(() => ({}));
    const destination = createOnFailureDestination(topicArn, { sns: client });
    if (destination.kind === 'kafka') throw new Error('expected a topic');
    await destination.deliver(failure({ records: [] }));
    expect(sent).toEqual([]);
  });

  it('throws OnFailureDeliveryError, retryable for server faults and throttling, not for a missing topic', async () => {
    // Arrange
    const errors = [sdkError('InternalError', 500), sdkError('Throttling', 400), sdkError('NotFound', 404)];
    const { client } = fakeClient(() => errors.shift());
    const destination = createOnFailureDestination(topicArn, { sns: client });
    if (destination.kind === 'kafka') throw new Error('expected a topic');

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await destination.deliver(failure()).catch((e: unknown) => e));

    // Assert
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(OnFailureDeliveryError);
      expect(outcome).toMatchObject({
        code: 'OSS_DESTINATION',
        details: { destination: topicArn, records: 4 },
      });
    }
    expect(outcomes.map((e) => (e as OnFailureDeliveryError).retryable)).toEqual([true, true, false]);
    expect((outcomes[2] as Error).message).toContain('NotFound');
  });

  it('looks the queue URL up again after a failed lookup', async () => {
    // Arrange: the first GetQueueUrl fails
    let lookups = 0;
    const { client, sent } = fakeClient((c) => {
      if (!(c instanceof GetQueueUrlCommand)) return {};
      lookups++;
      return lookups === 1 ? sdkError('ServiceUnavailable', 503) : { QueueUrl: 'https://q' };
    });
    const destination = createOnFailureDestination(queueArn, { sqs: client });
    if (destination.kind === 'kafka') throw new Error('expected a queue');

    // Act
    const first = await destination.deliver(failure()).catch((e: unknown) => e);
    await destination.deliver(failure());

    // Assert
    expect(first).toMatchObject({ code: 'OSS_DESTINATION', retryable: true });
    expect(sent.map((c) => c.constructor.name)).toEqual([
      'GetQueueUrlCommand',
      'GetQueueUrlCommand',
      'SendMessageCommand',
    ]);
  });

  it('tells the caller to use a Kafka topic for kafka://', () => {
    expect(createOnFailureDestination('kafka://failed-records-topic')).toEqual({
      kind: 'kafka',
      topic: 'failed-records-topic',
    });
  });

  it('validates its options, naming the option', () => {
    const bad: Array<[object, string]> = [
      [{ bootstrapServers: 'kafka:9092' }, '/options/bootstrapServers'],
      [{ bootstrapServers: [''] }, '/options/bootstrapServers'],
      [{ eventSourceArn: 'cluster' }, '/options/eventSourceArn'],
      [{ functionArn: 'myfunction' }, '/options/functionArn'],
      [{ executedVersion: '' }, '/options/executedVersion'],
      [{ sqs: {} }, '/options/sqs'],
      [{ sns: { send: 1 } }, '/options/sns'],
      [{ now: 'today' }, '/options/now'],
    ];
    for (const [options, path] of bad) {
      expect(() => createOnFailureDestination(topicArn, options as never)).toThrow(
        expect.objectContaining({ name: 'ConfigError', path }),
      );
    }
    expect(resolveOnFailureDestinationOptions({ executedVersion: undefined })).toMatchObject({
      bootstrapServers: [],
      executedVersion: '$LATEST',
    });
  });
});
