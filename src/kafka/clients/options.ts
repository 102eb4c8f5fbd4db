/**
 * Options of the Kafka client seam: which library, and how to reach the
 * cluster (the same connection options the primitives take today).
 *
 * @module
 */
import { DEFAULT_KAFKA_BROKERS } from '../../config/defaults.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { definedValues, requireInteger } from '../../util/validate.ts';
import type { KafkaConnectionOptions } from '../client.ts';
import { type KafkaClientName, KafkaClientNames } from './types.ts';

/** Options of {@link createKafkaClientSeam}. */
export interface KafkaClientOptions extends KafkaConnectionOptions {
  /**
   * The library behind the seam. kafkajs is the one the design names; @platformatic/kafka
   * is maintained, heartbeats in the background and speaks KIP-848.
   * @default env `KAFKA_CLIENT`, else 'kafkajs' (always 'kafkajs' when `kafka` is given)
   */
  client?: KafkaClientName;
  /** The library's own log lines. @default silentLogger */
  logger?: Logger;
}

/** Defaults of {@link KafkaClientOptions}. */
export const defaultKafkaClientOptions = {
  client: 'kafkajs',
  brokers: [...DEFAULT_KAFKA_BROKERS],
  clientId: 'opensky-stream',
  connectionTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const satisfies Partial<KafkaClientOptions>;

/** Options after defaults. */
export type ResolvedKafkaClientOptions = KafkaClientOptions &
  Required<
    Pick<KafkaClientOptions, 'client' | 'brokers' | 'clientId' | 'connectionTimeoutMs' | 'requestTimeoutMs'>
  >;

const BROKER = /^[^\s:]+:\d{1,5}$/;

/**
 * Overlay `options` on the defaults (skipping `undefined`; `client` falls back to env
 * `KAFKA_CLIENT` before the default) and validate; throws {@link ConfigError}.
 */
export function resolveKafkaClientOptions(
  options: KafkaClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedKafkaClientOptions {
  const given = definedValues(options);
  // A ready `kafka` passed in is KafkaJS-shaped: it is the client, whatever KAFKA_CLIENT says
  // (the environment only picks a default; an explicit `client` still conflicts below).
  const fromEnv = given.kafka === undefined ? env.KAFKA_CLIENT?.trim() : undefined;
  if (given.client === undefined && fromEnv) {
    if (!(KafkaClientNames as readonly string[]).includes(fromEnv))
      throw new ConfigError(
        'KAFKA_CLIENT',
        `must be one of ${KafkaClientNames.join(', ')}, got '${fromEnv}'`,
      );
    given.client = fromEnv as KafkaClientName;
  }
  const resolved = { ...defaultKafkaClientOptions, ...given } as ResolvedKafkaClientOptions;
  if (!(KafkaClientNames as readonly string[]).includes(resolved.client))
    throw new ConfigError(
      '/options/client',
      `must be one of ${KafkaClientNames.join(', ')}, got '${String(resolved.client)}'`,
    );
  if (!Array.isArray(resolved.brokers) || resolved.brokers.length === 0)
    throw new ConfigError('/options/brokers', 'must name at least one broker');
  resolved.brokers.forEach((broker, i) => {
    if (typeof broker !== 'string' || !BROKER.test(broker))
      throw new ConfigError(`/options/brokers/${i}`, `must be host:port, got '${String(broker)}'`);
  });
  if (typeof resolved.clientId !== 'string' || resolved.clientId === '')
    throw new ConfigError('/options/clientId', 'must be a non-empty string');
  if (resolved.kafka !== undefined && resolved.client !== 'kafkajs')
    throw new ConfigError(
      '/options/kafka',
      `is a KafkaJS-shaped client: it cannot be used with client '${resolved.client}'`,
    );
  requireInteger(resolved.connectionTimeoutMs, '/options/connectionTimeoutMs', 1, { unit: 'ms' });
  requireInteger(resolved.requestTimeoutMs, '/options/requestTimeoutMs', 1, { unit: 'ms' });
  return resolved;
}
