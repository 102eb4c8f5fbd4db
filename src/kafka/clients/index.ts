/**
 * The Kafka client seam: one interface for what produce and the poller need,
 * over kafkajs (the default) or @platformatic/kafka, chosen by the `client`
 * option or env `KAFKA_CLIENT`.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClientSeam({ brokers: ['127.0.0.1:9092'], client: 'platformatic' });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send('flights', [{ key: 'abc123', value: '{}', headers: { source: 'opensky' } }]);
 * await producer.disconnect();
 * ```
 *
 * @module
 */
import { silentLogger } from '../../logger.ts';
import { createKafkaClient } from '../client.ts';
import { kafkajsClient } from './kafkajs.ts';
import { type KafkaClientOptions, resolveKafkaClientOptions } from './options.ts';
import { platformaticClient } from './platformatic.ts';
import type { KafkaClient } from './types.ts';

export { kafkajsClient } from './kafkajs.ts';
export {
  defaultKafkaClientOptions,
  type KafkaClientOptions,
  type ResolvedKafkaClientOptions,
  resolveKafkaClientOptions,
} from './options.ts';
export { platformaticClient } from './platformatic.ts';
export type {
  BatchContext,
  ConsumedBatch,
  KafkaAdmin,
  KafkaAdminOptions,
  KafkaClient,
  KafkaClientName,
  KafkaConsumer,
  KafkaConsumerEvents,
  KafkaConsumerOptions,
  KafkaConsumerRunOptions,
  KafkaProducer,
  KafkaProducerOptions,
  PartitionOffsets,
  ProduceRecord,
  ProducerSettings,
  TopicSpec,
} from './types.ts';
export { KafkaClientNames } from './types.ts';

/**
 * The client `options` choose: kafkajs (a `kafka` passed in is used as is) or
 * @platformatic/kafka. Throws `ConfigError` naming the option when `options` (or
 * `KAFKA_CLIENT` in `env`) are invalid.
 */
export function createKafkaClientSeam(
  options: KafkaClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): KafkaClient {
  const resolved = resolveKafkaClientOptions(options, env);
  if (resolved.client === 'platformatic') return platformaticClient(resolved);
  return kafkajsClient(createKafkaClient(resolved, options.logger ?? silentLogger));
}
