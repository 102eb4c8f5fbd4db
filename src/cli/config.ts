/**
 * Turning the shared flags' options into the primitives' options: the Kafka
 * connection (with SASL credentials from the environment) and the AWS SDK
 * client configuration. No SDK client is loaded here: each command creates
 * the clients it uses.
 */
import { kafkaSaslFromEnv } from '../config/env.ts';
import type { KafkaConnectionOptions } from '../kafka/client.ts';
import type { FlagValues } from './flags.ts';
import type { awsFlags, kafkaFlags } from './options.ts';

export type KafkaFlags = FlagValues<typeof kafkaFlags>['kafka'];
export type AwsFlags = FlagValues<typeof awsFlags>['aws'];

/** The Kafka connection of `--brokers`, `--client-id`, `--kafka-ssl`, `--sasl-mechanism`. */
export function kafkaConnection(
  kafka: Omit<KafkaFlags, 'topic'>,
  env: NodeJS.ProcessEnv,
): KafkaConnectionOptions {
  const options: KafkaConnectionOptions = { brokers: kafka.brokers, clientId: kafka.clientId };
  if (kafka.ssl) options.ssl = true;
  const sasl = kafkaSaslFromEnv(kafka.saslMechanism, env, '--sasl-mechanism');
  if (sasl) options.sasl = sasl;
  return options;
}

/** AWS SDK client configuration from `--region` / `--endpoint-url`; test credentials for a local endpoint. */
export function awsConfig(aws: AwsFlags, env: NodeJS.ProcessEnv) {
  const { endpoint } = aws;
  const local = endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
  const credentials =
    local && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { accessKeyId: 'test', secretAccessKey: 'test' }
      : undefined;
  return {
    region: aws.region,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}
