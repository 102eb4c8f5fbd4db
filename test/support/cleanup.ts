/** Removing what a CLI-level test deployed: its function, its SNS topic, its Kafka topics. */
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Kafka, logLevel } from 'kafkajs';
import { awsClientConfig, kafkaBrokers } from './env.ts';

export async function removePipelineResources(resources: {
  functionName: string;
  topicArn?: string | undefined;
  /** The Kafka topic; its `-dlq` goes too. */
  kafkaTopic: string;
}): Promise<void> {
  await new LambdaClient(awsClientConfig())
    .send(new DeleteFunctionCommand({ FunctionName: resources.functionName }))
    .catch(() => undefined);
  if (resources.topicArn) {
    await new SNSClient(awsClientConfig())
      .send(new DeleteTopicCommand({ TopicArn: resources.topicArn }))
      .catch(() => undefined);
  }
  const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin
    .deleteTopics({ topics: [resources.kafkaTopic, `${resources.kafkaTopic}-dlq`] })
    .catch(() => undefined);
  await admin.disconnect();
}
