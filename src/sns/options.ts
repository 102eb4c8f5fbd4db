/**
 * Options of the SNS publisher: the typed interface, its defaults, and
 * validation that names the offending option.
 *
 * @module
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_SNS_TOPIC_NAME } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { overlayWithRetry, type ResolvedRetryOptions, type RetryOptions } from '../util/retry.ts';
import { definedValues, requireBoolean, requireFunction, requireInteger } from '../util/validate.ts';
import {
  type AttributeInput,
  type AttributeMapping,
  isValidAttributeName,
  SNS_ATTRIBUTE_TYPES,
} from './attributes.ts';
import { SNS_MAX_ATTRIBUTES } from './constants.ts';
import { isTopicArn, isValidTopicName } from './topic.ts';

/** Options of `SnsPublisher`. */
export interface SnsPublisherOptions<T extends object = object> {
  /** Topic ARN. Give this or `topicName`, not both. */
  topicArn?: string;
  /**
   * Topic name, resolved to an ARN on first use (ListTopics, or CreateTopic
   * with `createIfMissing`). Names ending in `.fifo` are FIFO topics.
   * @default 'FlightNotifications' (when `topicArn` is not given)
   */
  topicName?: string;
  /** Create the topic named `topicName` if it does not exist. @default false */
  createIfMissing?: boolean;
  /**
   * Record fields sent as message attributes, and their SNS types. Null and
   * empty values are left out of a message rather than failing it.
   * @default [{ field: 'origin_country' }]
   * @example
   * ```ts
   * attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }]
   * ```
   */
  attributes?: readonly AttributeMapping<T>[];
  /** Attributes added to every message, e.g. `{ source: 'opensky-stream' }`. @default {} */
  staticAttributes?: Readonly<Record<string, AttributeInput>>;
  /** Turn a record into the message body. @default JSON.stringify */
  serialize?(record: T): string;
  /** FIFO topics: the message group. @default the record's `icao24` (`'default'` when it has none) */
  groupId?(record: T): string;
  /**
   * FIFO topics: the deduplication id. Ids SNS would reject (other than 1–128
   * alphanumerics and punctuation) are replaced by their SHA-256.
   * @default `<icao24>-<time_position>`, or the SHA-256 of the message when either is missing
   */
  deduplicationId?(record: T, message: string): string;
  /** PublishBatch requests in flight at once, across all `publish` calls. @default 16 */
  concurrency?: number;
  /**
   * Retries of failed entries (and of failed requests) per batch, and the backoff between
   * them; a number is the `limit` (0 for none).
   * @default { limit: 5, baseMs: 100, maxDelayMs: 5000 }
   */
  retry?: number | RetryOptions;
  /** @deprecated Use `retry.limit` (or `retry: n`). */
  maxRetries?: number;
  /** @deprecated Use `retry.baseMs`. */
  retryBaseMs?: number;
  /** @deprecated Use `retry.maxDelayMs`. */
  retryMaxDelayMs?: number;
  /**
   * How long one PublishBatch request (and, on the default client, a topic lookup request)
   * may take, ms: a request SNS has not answered by then is abandoned and retried like a
   * network error, so one stalled connection cannot hold a publish (or a Lambda invocation)
   * until something else times out. @default 10000
   */
  requestTimeoutMs?: number;
  /**
   * The SNS client. Its own retries add to the publisher's.
   * @default `createSnsClient({ region, endpoint })`: env `AWS_REGION`, `AWS_ENDPOINT_URL`, SDK retries off
   */
  client?: SNSClient;
  /**
   * How PublishBatch requests are sent. `'query'`: signed requests of the
   * publisher's own (AWS query protocol) to the client's endpoint, region and
   * credentials, at about a third of the SDK's CPU per request; `'sdk'`:
   * `client.send`, through the SDK's middleware (yours included). Topic
   * lookups always use the SDK.
   * @default 'query' with the default client, 'sdk' when you pass `client`
   */
  transport?: 'query' | 'sdk';
  /** Region of the default client. @default env `AWS_REGION` */
  region?: string;
  /** Endpoint of the default client. @default env `AWS_ENDPOINT_URL_SNS` or `AWS_ENDPOINT_URL` */
  endpoint?: string;
  /** @default silentLogger */
  logger?: Logger;
}

/** Defaults of {@link SnsPublisherOptions}. */
export const defaultSnsPublisherOptions = {
  topicName: DEFAULT_SNS_TOPIC_NAME,
  createIfMissing: false,
  attributes: [{ field: 'origin_country' }],
  staticAttributes: {},
  concurrency: 16,
  retry: { limit: 5, baseMs: 100, maxDelayMs: 5_000 },
  requestTimeoutMs: 10_000,
} as const satisfies Partial<SnsPublisherOptions>;

/** The deprecated flat retry options, mapped onto `retry`. */
const RETRY_ALIASES = { limit: 'maxRetries', baseMs: 'retryBaseMs', maxDelayMs: 'retryMaxDelayMs' } as const;

/** Options after defaults. */
export type ResolvedSnsPublisherOptions<T extends object> = Omit<
  SnsPublisherOptions<T>,
  'retry' | 'maxRetries' | 'retryBaseMs' | 'retryMaxDelayMs'
> &
  Required<
    Pick<
      SnsPublisherOptions<T>,
      'createIfMissing' | 'attributes' | 'staticAttributes' | 'concurrency' | 'requestTimeoutMs'
    >
  > & { retry: ResolvedRetryOptions };

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveSnsPublisherOptions<T extends object>(
  options: SnsPublisherOptions<T>,
): ResolvedSnsPublisherOptions<T> {
  const given = definedValues(options);
  if (given.topicArn !== undefined && given.topicName !== undefined)
    throw new ConfigError('/options/topicName', 'must not be set together with /options/topicArn');
  const defaults = {
    ...defaultSnsPublisherOptions,
    ...(given.topicArn !== undefined ? { topicName: undefined } : {}),
  };
  const resolved = overlayWithRetry<ResolvedSnsPublisherOptions<T>>(defaults, options, [
    { aliases: RETRY_ALIASES },
  ]);
  validate(resolved);
  return resolved;
}

function validate<T extends object>(o: ResolvedSnsPublisherOptions<T>): void {
  if (o.topicArn !== undefined && (typeof o.topicArn !== 'string' || !isTopicArn(o.topicArn)))
    throw new ConfigError('/options/topicArn', `must be an SNS topic ARN, got '${String(o.topicArn)}'`);
  if (o.topicName !== undefined && (typeof o.topicName !== 'string' || !isValidTopicName(o.topicName))) {
    throw new ConfigError(
      '/options/topicName',
      `must be 1–256 characters of A-Z a-z 0-9 _ - (FIFO: ending in .fifo), got '${String(o.topicName)}'`,
    );
  }
  requireBoolean(o.createIfMissing, '/options/createIfMissing');
  if (!Array.isArray(o.attributes)) throw new ConfigError('/options/attributes', 'must be an array');
  const names = new Set<string>();
  for (const [i, mapping] of o.attributes.entries()) {
    const path = `/options/attributes/${i}`;
    if (typeof mapping !== 'object' || mapping === null) throw new ConfigError(path, 'must be an object');
    if (mapping.value !== undefined && typeof mapping.value !== 'function')
      throw new ConfigError(`${path}/value`, 'must be a function');
    if (mapping.field !== undefined && (typeof mapping.field !== 'string' || mapping.field === ''))
      throw new ConfigError(`${path}/field`, 'must be a non-empty string');
    if (mapping.field === undefined && (mapping.value === undefined || mapping.name === undefined))
      throw new ConfigError(`${path}/field`, 'is required (or both name and value)');
    const name = mapping.name ?? mapping.field ?? '';
    if (typeof name !== 'string' || !isValidAttributeName(name)) {
      throw new ConfigError(
        `${path}/name`,
        `must be a valid SNS attribute name (1–256 of A-Z a-z 0-9 _ - ., no leading, trailing or double period, not AWS./Amazon.), got '${String(name)}'`,
      );
    }
    if (mapping.type !== undefined && !SNS_ATTRIBUTE_TYPES.includes(mapping.type))
      throw new ConfigError(`${path}/type`, `must be one of ${SNS_ATTRIBUTE_TYPES.join(', ')}`);
    if (names.has(name)) throw new ConfigError(`${path}/name`, `repeats the attribute name '${name}'`);
    names.add(name);
  }
  if (typeof o.staticAttributes !== 'object' || o.staticAttributes === null)
    throw new ConfigError('/options/staticAttributes', 'must be an object');
  for (const [name, value] of Object.entries(o.staticAttributes)) {
    const path = `/options/staticAttributes/${name}`;
    if (!isValidAttributeName(name)) throw new ConfigError(path, 'is not a valid SNS attribute name');
    if (names.has(name)) throw new ConfigError(path, `repeats the attribute name '${name}'`);
    if (!['string', 'number', 'boolean'].includes(typeof value) && !Array.isArray(value))
      throw new ConfigError(path, 'must be a string, number, boolean or array');
    names.add(name);
  }
  if (names.size > SNS_MAX_ATTRIBUTES) {
    throw new ConfigError(
      '/options/attributes',
      `must name at most ${SNS_MAX_ATTRIBUTES} attributes together with staticAttributes (raw SQS delivery drops messages with more), got ${names.size}`,
    );
  }
  for (const key of ['serialize', 'groupId', 'deduplicationId'] as const)
    requireFunction(o[key], `/options/${key}`);
  requireInteger(o.concurrency, '/options/concurrency', 1);
  if (o.transport !== undefined && o.transport !== 'query' && o.transport !== 'sdk') {
    throw new ConfigError('/options/transport', "must be 'query' or 'sdk'");
  }
  requireInteger(o.requestTimeoutMs, '/options/requestTimeoutMs', 1);
  if (o.client !== undefined && typeof (o.client as { send?: unknown }).send !== 'function')
    throw new ConfigError('/options/client', 'must be an SNSClient (an object with send())');
  for (const key of ['region', 'endpoint'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === ''))
      throw new ConfigError(`/options/${key}`, 'must be a non-empty string');
  }
  if (o.endpoint !== undefined && !URL.canParse(o.endpoint))
    throw new ConfigError('/options/endpoint', `must be a URL, got '${o.endpoint}'`);
}
