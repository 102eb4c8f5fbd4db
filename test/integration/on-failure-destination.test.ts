/**
 * On-failure destinations on the local stack: the invocation record of a
 * discarded Kafka batch sent to a real SQS queue (SendMessage) and a real SNS
 * topic (Publish, read back through an SQS subscription), and the errors when
 * the destination does not exist.
 */
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { FailedRecords } from '../../src/bridge/dead-letter.ts';
import {
  createOnFailureDestination,
  type KafkaInvocationRecord,
  type OnFailureTarget,
} from '../../src/bridge/on-failure.ts';
import type { ConsumedRecord } from '../../src/handler/event.ts';
import { accountId } from '../../src/stack/lib.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

describe('on-failure destinations on the local AWS endpoint', () => {
  const sqs = new SQSClient(awsClientConfig());
  const sns = new SNSClient(awsClientConfig());
  const queues: string[] = [];
  const topics: string[] = [];
  const subscriptions: Subscription[] = [];
  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.close();
    for (const QueueUrl of queues)
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    for (const TopicArn of topics)
      await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
    sqs.destroy();
    sns.destroy();
  });

  const started = Date.parse('2024-08-01T12:00:00Z');
  const records = (topic: string, partition: number, offsets: number[]): ConsumedRecord[] =>
    offsets.map((offset) => ({
      topic,
      partition,
      offset: String(offset),
      timestamp: String(started + offset * 1000),
      key: Buffer.from(`k${offset}`),
      value: Buffer.from(JSON.stringify({ icao24: `a${offset}` })),
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    }));

  const failure: FailedRecords = {
    records: [...records('states', 0, [40, 41, 42]), ...records('states', 2, [7])],
    reason: 'retries-exhausted',
    error: { type: 'Unhandled', message: 'handler threw' },
    attempts: 4,
    functionName: 'flight-processor',
  };

  /** What every record of `failure` must say, wherever it went. */
  const expectRecordOf = (body: KafkaInvocationRecord, destinationArn: string) => {
    const region = destinationArn.split(':')[3];
    expect(body).toMatchObject({
      requestContext: {
        functionArn: `arn:aws:lambda:${region}:${accountId}:function:flight-processor`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 4,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      KafkaBatchInfo: {
        batchSize: 4,
        bootstrapServers: kafkaBrokers().join(','),
        recordsInfo: {
          'states-0': {
            firstRecordOffset: '40',
            lastRecordOffset: '42',
            firstRecordTimestamp: '2024-08-01T12:00:40.000Z',
            lastRecordTimestamp: '2024-08-01T12:00:42.000Z',
          },
          'states-2': {
            firstRecordOffset: '7',
            lastRecordOffset: '7',
            firstRecordTimestamp: '2024-08-01T12:00:07.000Z',
            lastRecordTimestamp: '2024-08-01T12:00:07.000Z',
          },
        },
      },
    });
    expect(body.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(body.timestamp)).not.toBeNaN();
    expect(body.KafkaBatchInfo.payloadSize).toBeGreaterThan(0);
    expect(body).not.toHaveProperty('payload');
  };

  async function createQueue(): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('oss-onfailure') }));
    queues.push(QueueUrl!);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  }

  async function receiveOne(queueUrl: string): Promise<Message[]> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length) return Messages;
    }
    return [];
  }

  const delivering = (destination: OnFailureTarget) => {
    if (destination.kind === 'kafka') throw new Error('expected an SQS or SNS destination');
    return destination;
  };

  it('sends an SQS queue the invocation record of a discarded batch, one message per batch', async () => {
    // Arrange
    const queue = await createQueue();
    const destination = delivering(
      createOnFailureDestination(queue.arn, { sqs, bootstrapServers: kafkaBrokers() }),
    );

    // Act
    await destination.deliver(failure);
    const messages = await receiveOne(queue.url);

    // Assert
    expect(destination.kind).toBe('sqs');
    expect(messages).toHaveLength(1);
    expectRecordOf(JSON.parse(messages[0]!.Body!) as KafkaInvocationRecord, queue.arn);
  });

  it('publishes the invocation record to an SNS topic (read back through an SQS subscription)', async () => {
    // Arrange
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('oss-onfailure') }));
    topics.push(TopicArn!);
    const subscription = await subscribeQueue(TopicArn!, { raw: true });
    subscriptions.push(subscription);
    const destination = delivering(
      createOnFailureDestination(TopicArn!, { sns, bootstrapServers: kafkaBrokers() }),
    );

    // Act
    await destination.deliver(failure);
    await destination.deliver({ ...failure, reason: 'unrepresentable', attempts: 0, error: undefined });
    const messages = await subscription.receive(2);

    // Assert
    expect(destination.kind).toBe('sns');
    const bodies = messages.map((m) => JSON.parse(m.Body!) as KafkaInvocationRecord);
    const byCondition = new Map(bodies.map((b) => [b.requestContext.condition, b]));
    expect([...byCondition.keys()].sort()).toEqual(['MaximumPayloadSizeExceeded', 'RetryAttemptsExhausted']);
    expectRecordOf(byCondition.get('RetryAttemptsExhausted')!, TopicArn!);
    expect(byCondition.get('MaximumPayloadSizeExceeded')!.responseContext).toBeNull();
  });

  it('makes its own clients from the environment when given none', async () => {
    // Arrange: the default clients read AWS_ENDPOINT_URL, as the bridge process would
    const queue = await createQueue();
    const config = awsClientConfig();
    const env = {
      AWS_ENDPOINT_URL: config.endpoint,
      AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
    };
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    try {
      const destination = delivering(
        createOnFailureDestination(queue.arn, { bootstrapServers: kafkaBrokers() }),
      );

      // Act
      await destination.deliver(failure);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const messages = await receiveOne(queue.url);

    // Assert
    expect(messages).toHaveLength(1);
    expectRecordOf(JSON.parse(messages[0]!.Body!) as KafkaInvocationRecord, queue.arn);
  });

  it('throws a non-retryable OnFailureDeliveryError for a queue or topic that does not exist', async () => {
    // Arrange
    const region = awsClientConfig().region;
    const missingQueue = `arn:aws:sqs:${region}:${accountId}:${uniqueName('missing')}`;
    const missingTopic = `arn:aws:sns:${region}:${accountId}:${uniqueName('missing')}`;

    // Act
    const errors = await Promise.all([
      delivering(createOnFailureDestination(missingQueue, { sqs }))
        .deliver(failure)
        .catch((e: unknown) => e),
      delivering(createOnFailureDestination(missingTopic, { sns }))
        .deliver(failure)
        .catch((e: unknown) => e),
    ]);

    // Assert
    for (const [error, arn] of [
      [errors[0], missingQueue],
      [errors[1], missingTopic],
    ] as const) {
      expect(error).toMatchObject({
        name: 'OnFailureDeliveryError',
        code: 'OSS_DESTINATION',
        retryable: false,
        details: { destination: arn, records: 4 },
      });
    }
  });
});
