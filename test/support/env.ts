/**
 * Where integration tests find the stack: the variables the global setup
 * exports, or the stack's defaults.
 */
import { stackConfig } from '../../src/stack/lib.ts';

const cfg = stackConfig();

export const kafkaBrokers = (): string[] =>
  (process.env.KAFKA_BROKERS ?? `${cfg.host}:${cfg.kafkaPort}`).split(',').map((broker) => broker.trim());

export const awsEndpoint = (): string => process.env.AWS_ENDPOINT_URL ?? `http://${cfg.host}:${cfg.awsPort}`;

export function awsClientConfig() {
  return {
    endpoint: awsEndpoint(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
}

/** A name no other test run uses. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** The environment a CLI process under test needs to reach the stack, quietly. */
export const cliEnv = (): Record<string, string> => ({
  KAFKA_BROKERS: kafkaBrokers().join(','),
  AWS_ENDPOINT_URL: awsEndpoint(),
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  OPENSKY_STREAM_LOG_LEVEL: 'warn',
});

/** Names of one test pipeline's resources: Kafka topic, SNS topic, function, consumer group. */
export function pipelineNames(prefix: string) {
  const id = uniqueName(prefix);
  return {
    topic: `${id}-states`,
    snsTopic: `${id}-Notifications`,
    fn: `${id}-processor`,
    group: `${id}-bridge`,
  };
}
