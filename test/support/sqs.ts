/**
 * Test helpers: an SQS queue subscribed to an SNS topic, and draining it.
 */
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientConfig, uniqueName } from './env.ts';

export interface Subscription {
  queueUrl: string;
  sqs: SQSClient;
  /** Receive until `count` messages arrived or `timeoutMs` passed (then returns what arrived). */
  receive(count: number, timeoutMs?: number): Promise<Message[]>;
  close(): Promise<void>;
}

export async function subscribeQueue(
  topicArn: string,
  options: { raw?: boolean; filterPolicy?: Record<string, unknown>; fifo?: boolean } = {},
): Promise<Subscription> {
  const sqs = new SQSClient(awsClientConfig());
  const sns = new SNSClient(awsClientConfig());
  const QueueName = uniqueName('oss-q') + (options.fifo ? '.fifo' : '');
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName, Attributes: options.fifo ? { FifoQueue: 'true' } : {} }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes!.QueueArn!,
      Attributes: {
        RawMessageDelivery: String(options.raw ?? true),
        ...(options.filterPolicy ? { FilterPolicy: JSON.stringify(options.filterPolicy) } : {}),
      },
    }),
  );
  return {
    queueUrl: QueueUrl!,
    sqs,
    async receive(count, timeoutMs = 15_000) {
      const messages: Message[] = [];
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count && Date.now() < deadline) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        );
        messages.push(...(Messages ?? []));
      }
      return messages;
    },
    async close() {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    },
  };
}
