/**
 * Options of the LambdaInvoker: the typed interface, its defaults, and
 * validation that names the offending option.
 *
 * @module
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DEFAULT_BRIDGE_GROUP_ID, DEFAULT_KAFKA_TOPIC } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { ConsumedRecord } from '../handler/event.ts';
import type { KafkaConnectionOptions } from '../kafka/client.ts';
import { type KafkaClientName, KafkaClientNames } from '../kafka/clients/types.ts';
import type { Logger } from '../logger.ts';
import { overlayWithRetry, type ResolvedRetryOptions, type RetryOptions } from '../util/retry.ts';
import { requireBoolean, requireFunction, requireInteger } from '../util/validate.ts';
import type { OnFailureDestination } from './dead-letter.ts';

/** Lambda's synchronous request limit (6 MB), less headroom for the event envelope. */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** Records per invocation when `batchSize` is not given. */
export const DEFAULT_BATCH_SIZE = 500;

/** Where a new group starts: ESM's `LATEST`, `TRIM_HORIZON`, or `AT_TIMESTAMP` (ms since epoch). */
export type StartingPosition = 'LATEST' | 'TRIM_HORIZON' | { timestamp: number };

/** Options of {@link LambdaInvoker}. */
export interface LambdaInvokerOptions extends KafkaConnectionOptions {
  /** Function name or ARN. */
  functionName: string;
  /** @default 'aviation-data' */
  topic?: string;
  /** Consumer group. @default 'opensky-stream-bridge' */
  groupId?: string;
  /**
   * The Kafka library behind the poller's consumer, dead-letter producer and admin calls
   * (see `createKafkaClientSeam`); a `kafka` passed in is KafkaJS-shaped and always goes
   * through the kafkajs adapter.
   * @default env `KAFKA_CLIENT`, else 'kafkajs'
   */
  client?: KafkaClientName;
  /**
   * Records per invocation, 1–10,000 (ESM `BatchSize`; AWS's default is 100). 500 carries the
   * real feed (10,000 aircraft every 3 s) on a 2-core local stack at a fifth of the per-invoke
   * overhead (`npm run bench -- e2e`). @default 500
   */
  batchSize?: number;
  /** How long the broker may wait to fill a batch (ESM `MaximumBatchingWindowInSeconds`), ms. @default 500 */
  batchingWindowMs?: number;
  /**
   * Where the group starts on a partition it has no committed offset for: `LATEST`,
   * `TRIM_HORIZON`, or a time (ms since epoch) like ESM's `AT_TIMESTAMP`. The position is
   * resolved once and committed for the group before the first batch, so a consumer that
   * crashes before its first commit resumes there instead of resolving `LATEST` again.
   * `TRIM_HORIZON` by default: a new group skips nothing that was produced before it started
   * (AWS: "To ensure that no events are missed, specify either TRIM_HORIZON or AT_TIMESTAMP").
   * @default 'TRIM_HORIZON'
   */
  startingPosition?: StartingPosition;
  /** Partitions processed at once; each partition stays in order. @default 3 */
  partitionConcurrency?: number;
  /**
   * Retries of a batch the function failed before it goes to the failure destination, and the
   * backoff between two attempts of a batch (also between two deliveries to the failure
   * destination); a number is the `limit`. `limit` is ESM's `MaximumRetryAttempts`: `-1` (read
   * as `Infinity`) retries until the batch succeeds or expires, blocking the partition. Invokes
   * that did not run the function (throttled, denied, the function missing or not ready, a
   * Lambda service error, a timeout, the endpoint unreachable) do not count: they are retried
   * until they get through, and never dead-lettered.
   * @default { limit: 3, baseMs: 500, maxDelayMs: 30000 }
   */
  retry?: number | RetryOptions;
  /** @deprecated Use `retry.limit` (or `retry: n`; `-1` still means forever). */
  maxRetryAttempts?: number;
  /** @deprecated Use `retry.baseMs`. */
  retryBaseMs?: number;
  /** @deprecated Use `retry.maxDelayMs`. */
  retryMaxDelayMs?: number;
  /** Split a failing batch in halves to isolate the bad record (ESM `BisectBatchOnFunctionError`). @default false */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Records older than this are not invoked (ESM `MaximumRecordAgeInSeconds`): they go to the
   * failure destination, or are dropped and counted in `stats.dropped` when there is none.
   * Checked before every attempt, so a batch retried for long expires too. `-1` for no limit.
   * @default -1
   */
  maximumRecordAgeSeconds?: number;
  /** Dead-letter topic; `null` to retry forever instead. Ignored when `onFailure` is given. @default `<topic>-dlq` */
  deadLetterTopic?: string | null;
  /**
   * Largest dead-letter write, bytes: failed records are sent in gzip-compressed chunks no
   * bigger than this, under the broker's `message.max.bytes` (1 MiB by default); a record
   * bigger than this even compressed is dead-lettered without its value.
   * @default 1000000
   */
  deadLetterMaxBytes?: number;
  /**
   * An on-failure destination other than the Kafka dead-letter topic (ESM
   * `DestinationConfig.OnFailure`, e.g. an SQS queue or SNS topic). Used instead of `deadLetterTopic`.
   */
  onFailure?: OnFailureDestination;
  /**
   * What happens to a batch whose retries are exhausted when there is no destination (neither
   * `deadLetterTopic` nor `onFailure`): `'retry'` keeps retrying it (nothing is ever lost, the
   * partition waits), `'drop'` discards it and counts it in `stats.dropped`, as AWS's event source
   * mapping does with `MaximumRetryAttempts` and no on-failure destination.
   * @default 'retry'
   */
  whenExhausted?: 'retry' | 'drop';
  /**
   * Honour a function's `batchItemFailures` (ESM `FunctionResponseTypes: ['ReportBatchItemFailures']`).
   * When false the answer is ignored and the batch counts as a success, as AWS does. The bridge's
   * default is true so the reference function's partial failures are honoured.
   * @default true
   */
  reportBatchItemFailures?: boolean;
  /**
   * Which records are invoked (ESM `FilterCriteria`): records it returns false for are never
   * invoked, their offsets are committed, and they are counted in `stats.filteredOut`.
   */
  filter?: (record: ConsumedRecord) => boolean;
  /** Byte limit of one invocation's event. @default {@link MAX_INVOKE_PAYLOAD_BYTES} */
  maxPayloadBytes?: number;
  /**
   * How long one Invoke may take before it is abandoned (and retried), ms.
   * @default the function's timeout (GetFunctionConfiguration at start) plus `invokeTimeoutMarginMs`
   */
  invokeTimeoutMs?: number;
  /** Added to the function's timeout for the Invoke's own timeout (cold starts, the network), ms. @default 15000 */
  invokeTimeoutMarginMs?: number;
  /**
   * The backoff before the consumer is restarted after a crash (the broker went away, a
   * request kept failing): the first delay doubles per consecutive crash, with full jitter,
   * up to `maxDelayMs`. The restarted consumer resumes from the group's committed offsets.
   * Only a fatal error (the topic deleted, access denied) or `stop()` ends the restarts, so
   * `limit` can only be `Infinity` (or `-1`).
   * @default { limit: Infinity, baseMs: 1000, maxDelayMs: 30000 }
   */
  restart?: RetryOptions;
  /** @deprecated Use `restart.baseMs`. */
  restartBaseMs?: number;
  /**
   * The consumer's session timeout, ms: how long the group coordinator waits for a silent
   * member before it gives its partitions to others. The invoker heartbeats while a function
   * runs, so a function may take longer than this. A consumer that crashed while the broker
   * was down could not leave the group, so its restarted successor joins once that session
   * expires: this bounds the pause after a broker restart. The broker allows 6000–1800000 by default.
   * @default 30000
   */
  sessionTimeoutMs?: number;
  /**
   * How long {@link LambdaInvoker.stop} waits for the batches in flight to finish and be
   * committed, and then for the consumer to leave the group, ms each.
   * @default 30000
   */
  stopTimeoutMs?: number;
  /**
   * The Lambda client: its endpoint, region and credentials are used either way; its `send` (and
   * so its middleware and retries) only with `invokeTransport: 'sdk'`.
   * @default `new LambdaClient({})`: env `AWS_REGION`, `AWS_ENDPOINT_URL_LAMBDA` or `AWS_ENDPOINT_URL`
   */
  lambda?: LambdaClient;
  /**
   * How Invokes are sent. `'rest'`: signed requests of the invoker's own (AWS's REST-JSON
   * protocol) to the client's endpoint, region and credentials, at about a fifth less of the
   * poller's CPU; `'sdk'`: `lambda.send`, through the SDK's middleware (yours included) and its
   * retries. What did not run the function is retried by the invoker either way.
   * GetFunctionConfiguration always goes through the SDK.
   * @default 'rest' with the default client, 'sdk' when you pass `lambda`
   */
  invokeTransport?: 'rest' | 'sdk';
  logger?: Logger;
}

/** Defaults of {@link LambdaInvokerOptions}. */
export const defaultLambdaInvokerOptions = {
  topic: DEFAULT_KAFKA_TOPIC,
  groupId: DEFAULT_BRIDGE_GROUP_ID,
  batchSize: DEFAULT_BATCH_SIZE,
  batchingWindowMs: 500,
  startingPosition: 'TRIM_HORIZON',
  partitionConcurrency: 3,
  retry: { limit: 3, baseMs: 500, maxDelayMs: 30_000 },
  bisectBatchOnFunctionError: false,
  maximumRecordAgeSeconds: -1,
  deadLetterMaxBytes: 1_000_000,
  reportBatchItemFailures: true,
  whenExhausted: 'retry',
  maxPayloadBytes: MAX_INVOKE_PAYLOAD_BYTES,
  invokeTimeoutMarginMs: 15_000,
  restart: { limit: Number.POSITIVE_INFINITY, baseMs: 1000, maxDelayMs: 30_000 },
  sessionTimeoutMs: 30_000,
  stopTimeoutMs: 30_000,
} as const satisfies Partial<LambdaInvokerOptions>;

/** The deprecated flat retry options, mapped onto `retry`. */
const RETRY_ALIASES = {
  limit: 'maxRetryAttempts',
  baseMs: 'retryBaseMs',
  maxDelayMs: 'retryMaxDelayMs',
} as const;
/** The deprecated restart option, mapped onto `restart`. */
const RESTART_ALIASES = { baseMs: 'restartBaseMs' } as const;

/** Options after defaults; `deadLetterTopic` resolved (`null`: none, also when `onFailure` is given). */
export type ResolvedLambdaInvokerOptions = Omit<
  LambdaInvokerOptions,
  | 'deadLetterTopic'
  | 'retry'
  | 'restart'
  | 'maxRetryAttempts'
  | 'retryBaseMs'
  | 'retryMaxDelayMs'
  | 'restartBaseMs'
> &
  Required<
    Pick<LambdaInvokerOptions, Exclude<keyof typeof defaultLambdaInvokerOptions, 'retry' | 'restart'>>
  > & {
    deadLetterTopic: string | null;
    retry: ResolvedRetryOptions;
    restart: ResolvedRetryOptions;
  };

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveLambdaInvokerOptions(options: LambdaInvokerOptions): ResolvedLambdaInvokerOptions {
  const merged = overlayWithRetry<
    Omit<ResolvedLambdaInvokerOptions, 'deadLetterTopic'> & { deadLetterTopic?: string | null }
  >(defaultLambdaInvokerOptions, options, [
    { aliases: RETRY_ALIASES, rules: { forever: true } },
    {
      key: 'restart',
      aliases: RESTART_ALIASES,
      // A zero delay would restart a consumer whose broker is away in a busy loop.
      rules: { minBaseMs: 1, forever: { only: 'the consumer is restarted until stop() or a fatal error' } },
    },
  ]);
  const deadLetterTopic = merged.onFailure
    ? null
    : merged.deadLetterTopic === undefined
      ? `${merged.topic}-dlq`
      : merged.deadLetterTopic;
  const resolved = { ...merged, deadLetterTopic } as ResolvedLambdaInvokerOptions;
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedLambdaInvokerOptions): void {
  if (typeof o.functionName !== 'string' || o.functionName === '')
    throw new ConfigError('/options/functionName', 'is required');
  for (const key of ['topic', 'groupId'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '')
      throw new ConfigError(`/options/${key}`, 'must be a non-empty string');
  }
  if (o.client !== undefined && !(KafkaClientNames as readonly string[]).includes(o.client))
    throw new ConfigError('/options/client', `must be one of ${KafkaClientNames.join(', ')}`);
  requireInteger(o.batchSize, '/options/batchSize', 1, { max: 10_000 });
  if (!(typeof o.batchingWindowMs === 'number' && o.batchingWindowMs >= 0 && o.batchingWindowMs <= 300_000))
    throw new ConfigError('/options/batchingWindowMs', 'must be from 0 to 300000');
  const position = o.startingPosition;
  if (
    position !== 'LATEST' &&
    position !== 'TRIM_HORIZON' &&
    !(typeof position === 'object' && position !== null && Number.isFinite(position.timestamp))
  )
    throw new ConfigError('/options/startingPosition', "must be 'LATEST', 'TRIM_HORIZON' or { timestamp }");
  requireInteger(o.partitionConcurrency, '/options/partitionConcurrency', 1);
  if (
    !(
      o.maximumRecordAgeSeconds === -1 ||
      (typeof o.maximumRecordAgeSeconds === 'number' && o.maximumRecordAgeSeconds >= 0)
    )
  )
    throw new ConfigError('/options/maximumRecordAgeSeconds', 'must be -1 or a number ≥ 0');
  if (o.deadLetterTopic !== null && (typeof o.deadLetterTopic !== 'string' || o.deadLetterTopic === ''))
    throw new ConfigError('/options/deadLetterTopic', 'must be a non-empty string or null');
  requireInteger(o.deadLetterMaxBytes, '/options/deadLetterMaxBytes', 1024);
  if (o.onFailure !== undefined && typeof (o.onFailure as { deliver?: unknown }).deliver !== 'function')
    throw new ConfigError('/options/onFailure', 'must be an object with deliver()');
  if (o.whenExhausted !== 'retry' && o.whenExhausted !== 'drop')
    throw new ConfigError('/options/whenExhausted', "must be 'retry' or 'drop'");
  requireBoolean(o.reportBatchItemFailures, '/options/reportBatchItemFailures');
  requireBoolean(o.bisectBatchOnFunctionError, '/options/bisectBatchOnFunctionError');
  requireFunction(o.filter, '/options/filter');
  requireInteger(o.maxPayloadBytes, '/options/maxPayloadBytes', 1024);
  if (o.invokeTimeoutMs !== undefined) requireInteger(o.invokeTimeoutMs, '/options/invokeTimeoutMs', 1);
  requireInteger(o.invokeTimeoutMarginMs, '/options/invokeTimeoutMarginMs', 0);
  requireInteger(o.sessionTimeoutMs, '/options/sessionTimeoutMs', 1000);
  requireInteger(o.stopTimeoutMs, '/options/stopTimeoutMs', 0);
  if (o.invokeTransport !== undefined && o.invokeTransport !== 'rest' && o.invokeTransport !== 'sdk')
    throw new ConfigError('/options/invokeTransport', "must be 'rest' or 'sdk'");
}
