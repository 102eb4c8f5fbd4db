/**
 * The Kafka environment, read in one place: `KAFKA_BROKERS`, `KAFKA_CLIENT_ID`,
 * `KAFKA_SSL`, `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`.
 * The library ({@link kafkaConfigFromEnv}) and the CLI (whose flags stand in for
 * the variables that are not secrets) ask these functions rather than reading
 * `process.env` themselves, so every variable has one parser and its errors
 * name the variable.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';

/** The SASL mechanisms kafkajs supports without extra packages. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** One of {@link KAFKA_SASL_MECHANISMS}. */
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** What the Kafka environment says; a variable that is unset or empty leaves its field out. */
export interface KafkaEnvironment {
  /** `KAFKA_BROKERS`: comma-separated `host:port` list. */
  brokers?: string[];
  /** `KAFKA_CLIENT_ID`. */
  clientId?: string;
  /**
   * `KAFKA_SSL`: true for `1`, `true` or `yes` (any case), false for anything else: the
   * rule of every boolean variable of the CLI (docs/configuration.md).
   */
  ssl?: boolean;
  /** `KAFKA_SASL_MECHANISM` with `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`. */
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

const BROKER = /^[^\s:]+:\d{1,5}$/;

/** Whether `broker` is a `host:port` bootstrap address. */
export function isBrokerAddress(broker: unknown): broker is string {
  return typeof broker === 'string' && BROKER.test(broker);
}

const value = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
};

/**
 * Read the Kafka environment once. Throws {@link ConfigError} naming the variable:
 * a `KAFKA_BROKERS` entry that is not `host:port`, an unknown `KAFKA_SASL_MECHANISM`,
 * or a mechanism without its username and password.
 */
export function readKafkaEnv(env: NodeJS.ProcessEnv = process.env): KafkaEnvironment {
  const out: KafkaEnvironment = {};
  const brokers = value(env, 'KAFKA_BROKERS');
  if (brokers !== undefined) {
    out.brokers = brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    const bad = out.brokers.find((broker) => !isBrokerAddress(broker));
    if (out.brokers.length === 0 || bad !== undefined)
      throw new ConfigError('KAFKA_BROKERS', `must be host:port brokers, comma-separated, got '${brokers}'`);
  }
  const clientId = value(env, 'KAFKA_CLIENT_ID');
  if (clientId !== undefined) out.clientId = clientId;
  const ssl = value(env, 'KAFKA_SSL');
  if (ssl !== undefined) out.ssl = /^(1|true|yes)$/i.test(ssl);
  const sasl = kafkaSaslFromEnv(value(env, 'KAFKA_SASL_MECHANISM'), env, 'KAFKA_SASL_MECHANISM');
  if (sasl) out.sasl = sasl;
  return out;
}

/**
 * The SASL credentials for `mechanism` (from `KAFKA_SASL_MECHANISM`, or a flag named
 * `from`): `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`, which only the environment
 * holds (never a flag: secrets). `undefined` without a mechanism.
 */
export function kafkaSaslFromEnv(
  mechanism: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  from = 'KAFKA_SASL_MECHANISM',
): KafkaEnvironment['sasl'] {
  if (mechanism === undefined || mechanism === '') return undefined;
  const lower = mechanism.toLowerCase();
  if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(lower))
    throw new ConfigError(from, `must be ${KAFKA_SASL_MECHANISMS.join(', ')}, got '${mechanism}'`);
  const username = value(env, 'KAFKA_SASL_USERNAME');
  const password = env.KAFKA_SASL_PASSWORD;
  if (username === undefined) throw new ConfigError('KAFKA_SASL_USERNAME', `is required with ${from}`);
  if (!password) throw new ConfigError('KAFKA_SASL_PASSWORD', `is required with ${from}`);
  return { mechanism: lower as KafkaSaslMechanism, username, password };
}
