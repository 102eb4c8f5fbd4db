/**
 * The Kafka seam. kafkajs is the default client, but it has had no release
 * since 2.2.4 (February 2023), so the primitives depend only on the narrow,
 * structural {@link KafkaLike} below: any client with KafkaJS's API shape
 * (such as @confluentinc/kafka-javascript's KafkaJS-compatible API) can be
 * passed as `kafka` instead, without touching the primitives.
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { DEFAULT_CLIENT_ID, DEFAULT_KAFKA_BROKERS } from '../config/defaults.ts';
import { isBrokerAddress, type KafkaSaslMechanism, readKafkaEnv } from '../config/env.ts';
import { ConfigError, KafkaError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { kafkajsClient } from './clients/kafkajs.ts';
import type { KafkaClient } from './clients/types.ts';
import type { KafkaLike } from './kafka-like.ts';
// kafkajs with its fixes (no negative timeouts, faster produce encoding): see the module.
import { Kafka, logLevel } from './kafkajs.ts';

export type { KafkaLike } from './kafka-like.ts';

/** SASL credentials. For AWS MSK IAM, pass a `kafka` client configured with an OAUTHBEARER provider instead. */
export interface KafkaSaslOptions {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

/** How to reach a Kafka cluster. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers, `host:port`. @default ['127.0.0.1:9092'] */
  brokers?: string[];
  /** @default 'opensky-stream' */
  clientId?: string;
  /** TLS: `true`, or Node TLS options (CA, client certificate). @default false */
  ssl?: boolean | ConnectionOptions;
  sasl?: KafkaSaslOptions;
  /** @default 10000 */
  connectionTimeoutMs?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
  /** A ready client (kafkajs `Kafka` or a KafkaJS-compatible one); the options above are then ignored. */
  kafka?: KafkaLike;
}

/**
 * Connection options from the environment: `KAFKA_BROKERS` (comma list),
 * `KAFKA_CLIENT_ID`, `KAFKA_SSL` (true/false), `KAFKA_SASL_MECHANISM`,
 * `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD` (read by `readKafkaEnv`;
 * its errors name the variable).
 */
export function kafkaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConnectionOptions {
  return readKafkaEnv(env);
}

/** kafkajs's log lines for each failed (re)connection attempt. */
const CONNECTION_NOISE = /^(Connection error|Failed to connect to seed broker|Connection timeout)/;

/** Build (or pass through) the client for `options`; kafkajs's own logs go to `logger`. */
export function createKafkaClient(options: KafkaConnectionOptions, logger: Logger = silentLogger): KafkaLike {
  if (options.kafka) return options.kafka;
  const brokers = options.brokers ?? [...DEFAULT_KAFKA_BROKERS];
  if (brokers.length === 0) throw new ConfigError('/options/brokers', 'must name at least one broker');
  brokers.forEach((broker, i) => {
    if (!isBrokerAddress(broker))
      throw new ConfigError(`/options/brokers/${i}`, `must be host:port, got '${broker}'`);
  });
  const config: KafkaConfig = {
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...fields } = log;
        // Protocol-level answers ("Response CreateTopics … already exists") are handled by the
        // caller or retried by kafkajs, and every reconnection attempt while a broker is down is
        // an error line to kafkajs: detail. The primitives report outages themselves (retries,
        // buffered snapshots, consumer restarts), once per attempt of their own.
        if (message.startsWith('Response ') || CONNECTION_NOISE.test(message))
          logger.debug(`kafkajs: ${message}`, fields);
        else if (message.startsWith('Crash: ')) logger.warn(`kafkajs: ${message}`, fields);
        else if (level <= logLevel.ERROR) logger.error(`kafkajs: ${message}`, fields);
        else if (level === logLevel.WARN) logger.warn(`kafkajs: ${message}`, fields);
      },
  };
  if (options.ssl !== undefined) config.ssl = options.ssl;
  if (options.sasl) config.sasl = options.sasl as SASLOptions;
  return new Kafka(config);
}

/** Options of {@link ensureTopic}. */
export interface EnsureTopicOptions {
  topic: string;
  /** @default 3 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '86400000' }`. */
  configs?: Record<string, string>;
}

/**
 * Create `topic` if it does not exist (idempotent). Returns `created` or
 * `exists`; warns when an existing topic has fewer partitions than asked.
 */
export function ensureTopic(
  kafka: KafkaLike,
  options: EnsureTopicOptions,
  logger: Logger = silentLogger,
): Promise<'created' | 'exists'> {
  return ensureTopicWith(kafkajsClient(kafka), options, logger);
}

/** {@link ensureTopic} through a client of the seam (kafkajs or @platformatic/kafka). */
export async function ensureTopicWith(
  client: KafkaClient,
  options: EnsureTopicOptions,
  logger: Logger = silentLogger,
): Promise<'created' | 'exists'> {
  const admin = client.admin();
  await admin.connect();
  try {
    const partitions = options.partitions ?? 3;
    const created = await admin.createTopic({
      topic: options.topic,
      partitions,
      replicationFactor: options.replicationFactor ?? 1,
      ...(options.configs ? { configs: options.configs } : {}),
    });
    if (created) return 'created';
    const existing = await admin.partitionCount(options.topic);
    if (existing < partitions) {
      logger.warn('topic exists with fewer partitions than asked', {
        topic: options.topic,
        existing,
        asked: partitions,
      });
    }
    return 'exists';
  } catch (error) {
    throw new KafkaError(`could not create topic '${options.topic}': ${(error as Error).message}`, {
      cause: error,
      retryable: true,
    });
  } finally {
    await admin.disconnect();
  }
}
