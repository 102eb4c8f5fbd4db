/**
 * Test helpers: an SQS queue subscribed to an SNS topic, and draining it.
 */
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
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
  /**
   * Receive (and delete) until `count` messages arrived or `timeoutMs` passed, then return
   * what arrived. Several receives run at once and the queue is kept drained: moto's SQS
   * slows down as a queue grows.
   */
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
      // Standard queues deliver at least once (and moto can hand one message to two
      // concurrent receives): a consumer dedupes by MessageId, as this one does.
      const seen = new Set<string>();
      const deadline = Date.now() + timeoutMs;
      const receiver = async () => {
        while (messages.length < count && Date.now() < deadline) {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          );
          for (const message of Messages) {
            if (seen.has(message.MessageId!)) continue;
            seen.add(message.MessageId!);
            messages.push(message);
          }
          if (Messages.length) {
            await sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl,
                Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
              }),
            );
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, Math.max(1, Math.ceil(count / 10))) }, receiver));
      return messages;
    },
    async close() {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    },
  };
}
