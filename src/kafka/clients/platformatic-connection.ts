/**
 * Loading @platformatic/kafka and the connection options all its clients
 * share. The library is imported when a client first connects, so a command
 * that runs on kafkajs never loads it.
 *
 * @module
 */
import type * as Platformatic from '@platformatic/kafka';
import type { ResolvedKafkaClientOptions } from './options.ts';

type Library = typeof Platformatic;
let library: Promise<Library> | undefined;

/** @platformatic/kafka, imported once, on first use. */
export function loadPlatformatic(): Promise<Library> {
  library ??= import('@platformatic/kafka');
  return library;
}

/** Connection options of every @platformatic/kafka client, from the seam's. */
export function baseOptions(options: ResolvedKafkaClientOptions, suffix = '') {
  return {
    clientId: `${options.clientId}${suffix}`,
    bootstrapBrokers: [...options.brokers],
    connectTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    ...(options.ssl ? { tls: options.ssl === true ? {} : options.ssl } : {}),
    ...(options.sasl
      ? {
          sasl: {
            mechanism: options.sasl.mechanism.toUpperCase() as Platformatic.SASLMechanismValue,
            username: options.sasl.username,
            password: options.sasl.password,
          },
        }
      : {}),
  };
}
