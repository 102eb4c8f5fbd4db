/**
 * Options of KafkaSink: the typed interface, its defaults, and validation
 * that names the offending option.
 *
 * @module
 */
import { DEFAULT_CLIENT_ID, DEFAULT_KAFKA_TOPIC } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { overlayWithRetry, type ResolvedRetryOptions, type RetryOptions } from '../util/retry.ts';
import { requireInteger } from '../util/validate.ts';
import type { KafkaConnectionOptions } from './client.ts';
import { type KafkaClientName, KafkaClientNames } from './clients/types.ts';

/** Options of `KafkaSink`. */
export interface KafkaSinkOptions extends KafkaConnectionOptions {
  /** @default 'aviation-data' */
  topic?: string;
  /**
   * The Kafka library behind the sink (see `createKafkaClientSeam`); a `kafka` passed in is
   * KafkaJS-shaped and always goes through the kafkajs adapter.
   * @default env `KAFKA_CLIENT`, else 'kafkajs'
   */
  client?: KafkaClientName;
  /**
   * Compression codec. GZIP is the one codec kafkajs ships without extra
   * packages; state-vector JSON shrinks about 5× with it, which saves broker
   * disk and network for a little CPU (see `npm run bench -- kafka-sink`).
   * @default 'gzip'
   */
  compression?: 'gzip' | 'none';
  /** Sends in flight at once while the broker answers (one at a time while it recovers from an error). @default 2 */
  maxInFlight?: number;
  /**
   * Upper bound of one send, in uncompressed key + value bytes; a bigger snapshot is sent
   * in several sends so no record batch exceeds the broker's `message.max.bytes`.
   * @default 786432 (768 KiB)
   */
  maxSendBytes?: number;
  /**
   * Bound of the snapshots held in memory until the broker acknowledges them, in
   * uncompressed key + value bytes. This buffer is what rides out a broker outage:
   * `write` keeps accepting snapshots while sends are retried. When it is full
   * during an outage the oldest whole snapshot not yet being sent is dropped
   * (counted in `droppedSnapshots`, logged); when it is full while the broker takes
   * sends, `write` waits instead (backpressure). A single snapshot larger than the
   * bound is still accepted when nothing else is buffered.
   * @default 67108864 (64 MiB)
   * @example
   * ```ts
   * new KafkaSink({ maxBufferBytes: 256 * 1024 * 1024 }); // ~1 h of Switzerland, ~1 min of the world
   * ```
   */
  maxBufferBytes?: number;
  /**
   * The backoff between the retries of a send that failed with a transient error: the first
   * delay doubles per consecutive failure, with full jitter, up to `maxDelayMs`. The sink never
   * gives up on a send by itself (its bound is `maxBufferBytes`, then `closeTimeoutMs`), so
   * `limit` can only be `Infinity` (or `-1`).
   * @default { limit: Infinity, baseMs: 500, maxDelayMs: 15000 }
   */
  retry?: number | RetryOptions;
  /** @deprecated Use `retry.baseMs`. */
  retryBaseMs?: number;
  /** @deprecated Use `retry.maxDelayMs`. */
  retryMaxDelayMs?: number;
  /** How long `close()` keeps trying to send what is buffered before it gives up and reports it, ms. @default 15000 */
  closeTimeoutMs?: number;
  /** Header `source`. @default 'opensky-stream' */
  source?: string;
  logger?: Logger;
}

/** Defaults of {@link KafkaSinkOptions}. */
export const defaultKafkaSinkOptions = {
  topic: DEFAULT_KAFKA_TOPIC,
  compression: 'gzip',
  maxInFlight: 2,
  maxSendBytes: 768 * 1024,
  maxBufferBytes: 64 * 1024 * 1024,
  retry: { limit: Number.POSITIVE_INFINITY, baseMs: 500, maxDelayMs: 15_000 },
  closeTimeoutMs: 15_000,
  source: DEFAULT_CLIENT_ID,
} as const satisfies Partial<KafkaSinkOptions>;

/** The deprecated flat retry options, mapped onto `retry`. */
const RETRY_ALIASES = { baseMs: 'retryBaseMs', maxDelayMs: 'retryMaxDelayMs' } as const;

/** Options after defaults. */
export type ResolvedKafkaSinkOptions = Omit<KafkaSinkOptions, 'retry' | 'retryBaseMs' | 'retryMaxDelayMs'> &
  Required<Pick<KafkaSinkOptions, Exclude<keyof typeof defaultKafkaSinkOptions, 'retry'>>> & {
    retry: ResolvedRetryOptions;
  };

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveKafkaSinkOptions(options: KafkaSinkOptions): ResolvedKafkaSinkOptions {
  const o = overlayWithRetry<ResolvedKafkaSinkOptions>(defaultKafkaSinkOptions, options, [
    {
      aliases: RETRY_ALIASES,
      // A zero delay would retry a broker outage in a busy loop.
      rules: {
        minBaseMs: 1,
        forever: { only: 'the sink keeps retrying while its buffer holds (maxBufferBytes)' },
      },
    },
  ]);
  if (typeof o.topic !== 'string' || !o.topic || /[^A-Za-z0-9._-]/.test(o.topic) || o.topic.length > 249) {
    throw new ConfigError('/options/topic', `is not a valid Kafka topic name: '${String(o.topic)}'`);
  }
  if (o.client !== undefined && !(KafkaClientNames as readonly string[]).includes(o.client))
    throw new ConfigError('/options/client', `must be one of ${KafkaClientNames.join(', ')}`);
  if (!['gzip', 'none'].includes(o.compression))
    throw new ConfigError('/options/compression', "must be 'gzip' or 'none'");
  requireInteger(o.maxInFlight, '/options/maxInFlight', 1);
  requireInteger(o.maxSendBytes, '/options/maxSendBytes', 1024);
  requireInteger(o.maxBufferBytes, '/options/maxBufferBytes', 1, { unit: 'bytes' });
  requireInteger(o.closeTimeoutMs, '/options/closeTimeoutMs', 0);
  return o;
}
