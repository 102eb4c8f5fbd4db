/**
 * SnsPublisher: processed records → an SNS topic, packed into PublishBatch
 * requests (≤ 10 entries, ≤ 256 KiB), retrying only the entries that failed.
 *
 * @module
 */
import {
  CreateTopicCommand,
  ListTopicsCommand,
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  SNSClient,
} from '@aws-sdk/client-sns';
import { ConfigError, SnsPublishError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { backoffDelay, sleep } from '../util/retry.ts';

/** SNS data types for message attributes. */
export type SnsAttributeType = 'String' | 'Number' | 'String.Array';

/** Which record field becomes which message attribute. */
export interface AttributeMapping {
  /** The record field to read. */
  field: string;
  /** The attribute name. @default the field name */
  name?: string;
  /** @default 'String' */
  type?: SnsAttributeType;
}

/** Options of {@link SnsPublisher}. */
export interface SnsPublisherOptions {
  /** Topic ARN. Either this or `topicName`. */
  topicArn?: string;
  /** Topic name, resolved to an ARN on first use (`FlightNotifications` by default). */
  topicName?: string;
  /** Create the topic when `topicName` does not exist. @default false */
  createIfMissing?: boolean;
  /** Record fields sent as message attributes. @default [{ field: 'origin_country' }] */
  attributes?: AttributeMapping[];
  /** Extra attributes for every message, e.g. a W3C `traceparent`. */
  staticAttributes?: Record<string, string>;
  /** FIFO message group id. @default the record's `icao24` */
  groupId?: (record: Record<string, unknown>) => string;
  /** FIFO deduplication id. @default `icao24` + `time_position`, sanitised */
  deduplicationId?: (record: Record<string, unknown>) => string;
  /** PublishBatch requests in flight at once. @default 4 */
  concurrency?: number;
  /** Retries of failed entries and failed requests. @default 5 */
  maxRetries?: number;
  /** First backoff delay in ms (doubles, full jitter). @default 100 */
  retryBaseMs?: number;
  /** The SNS client. @default one built from the environment (AWS_REGION, AWS_ENDPOINT_URL, …) */
  client?: SNSClient;
  logger?: Logger;
}

/** A record that could not be published after every retry. */
export interface FailedPublish<T> {
  record: T;
  code: string;
  message: string;
}

/** What {@link SnsPublisher.publish} did. */
export interface PublishResult<T> {
  published: number;
  failed: FailedPublish<T>[];
}

/** Counters of an {@link SnsPublisher}. */
export interface SnsPublisherStats {
  published: number;
  failed: number;
  requests: number;
  retries: number;
  bytes: number;
  lastLatencyMs: number;
}

/** PublishBatch limits. */
export const SNS_MAX_BATCH_ENTRIES = 10;
export const SNS_MAX_BATCH_BYTES = 256 * 1024;
const MAX_ATTRIBUTES = 10;
const RETRYABLE_ENTRY_CODES = new Set([
  'InternalError',
  'Throttling',
  'ThrottlingException',
  'KMSThrottling',
  'ServiceUnavailable',
]);

interface Entry<T> {
  record: T;
  entry: PublishBatchRequestEntry;
  size: number;
}

/** The size SNS counts for an entry: the message plus attribute names, types and values. */
export function entrySize(entry: PublishBatchRequestEntry): number {
  let size = Buffer.byteLength(entry.Message ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

/** Split entries into PublishBatch requests: ≤ 10 entries and ≤ 256 KiB each. */
export function packBatches<T extends { size: number }>(entries: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (
      current.length > 0 &&
      (current.length === SNS_MAX_BATCH_ENTRIES || bytes + entry.size > SNS_MAX_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.size;
  }
  if (current.length) batches.push(current);
  return batches;
}

const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;

/** Message attributes of a record per the mapping; null and empty values are left out. */
export function recordAttributes(
  record: Record<string, unknown>,
  mapping: readonly AttributeMapping[],
  fixed: Record<string, string> = {},
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(fixed)) {
    if (value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  }
  for (const { field, name = field, type = 'String' } of mapping) {
    const value = record[field];
    if (value === null || value === undefined || value === '') continue;
    if (type === 'Number') {
      if (typeof value === 'number' && Number.isFinite(value))
        attributes[name] = { DataType: 'Number', StringValue: String(value) };
    } else if (type === 'String.Array') {
      attributes[name] = {
        DataType: 'String.Array',
        StringValue: JSON.stringify(Array.isArray(value) ? value : [value]),
      };
    } else {
      attributes[name] = { DataType: 'String', StringValue: String(value) };
    }
  }
  return attributes;
}

function validateOptions(options: SnsPublisherOptions): void {
  if (!options.topicArn && !options.topicName)
    throw new ConfigError('/options/topicArn', 'or /options/topicName is required');
  if (options.topicArn && !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w.-]+$/.test(options.topicArn)) {
    throw new ConfigError('/options/topicArn', `must be an SNS topic ARN, got '${options.topicArn}'`);
  }
  const mapping = options.attributes ?? [];
  if (mapping.length + Object.keys(options.staticAttributes ?? {}).length > MAX_ATTRIBUTES) {
    throw new ConfigError(
      '/options/attributes',
      `must name at most ${MAX_ATTRIBUTES} attributes (raw SQS delivery drops messages with more)`,
    );
  }
  for (const [i, { field, name = field, type = 'String' }] of mapping.entries()) {
    if (!ATTRIBUTE_NAME.test(name))
      throw new ConfigError(`/options/attributes/${i}/name`, `is not a valid SNS attribute name: '${name}'`);
    if (!['String', 'Number', 'String.Array'].includes(type)) {
      throw new ConfigError(`/options/attributes/${i}/type`, 'must be String, Number or String.Array');
    }
  }
  if (
    options.concurrency !== undefined &&
    !(Number.isInteger(options.concurrency) && options.concurrency >= 1)
  ) {
    throw new ConfigError('/options/concurrency', 'must be an integer ≥ 1');
  }
}

const sanitiseDedup = (value: string) =>
  value.replace(/[^A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '_').slice(0, 128);

/**
 * Publishes records as JSON messages to one SNS topic.
 *
 * @example
 * ```ts
 * const publisher = new SnsPublisher({ topicName: 'FlightNotifications', createIfMissing: true });
 * const { published, failed } = await publisher.publish(records);
 * ```
 */
export class SnsPublisher<T extends object = Record<string, unknown>> {
  readonly stats: SnsPublisherStats = {
    published: 0,
    failed: 0,
    requests: 0,
    retries: 0,
    bytes: 0,
    lastLatencyMs: 0,
  };
  private readonly client: SNSClient;
  private readonly ownsClient: boolean;
  private readonly options: Required<
    Pick<SnsPublisherOptions, 'attributes' | 'concurrency' | 'maxRetries' | 'retryBaseMs'>
  > &
    SnsPublisherOptions;
  private topicArn: Promise<string> | undefined;
  private closed = false;

  constructor(options: SnsPublisherOptions) {
    this.options = {
      attributes: [{ field: 'origin_country' }],
      concurrency: 4,
      maxRetries: 5,
      retryBaseMs: 100,
      ...options,
    };
    validateOptions(this.options);
    this.ownsClient = !options.client;
    this.client = options.client ?? new SNSClient({});
    if (options.topicArn) this.topicArn = Promise.resolve(options.topicArn);
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** The topic's ARN, resolving (or creating) it by name on first use. */
  resolveTopic(): Promise<string> {
    this.topicArn ??= this.lookupTopic().catch((error: unknown) => {
      this.topicArn = undefined;
      throw error;
    });
    return this.topicArn;
  }

  private async lookupTopic(): Promise<string> {
    const name = this.options.topicName!;
    if (this.options.createIfMissing) {
      const { TopicArn } = await this.client.send(
        new CreateTopicCommand({
          Name: name,
          ...(name.endsWith('.fifo') ? { Attributes: { FifoTopic: 'true' } } : {}),
        }),
      );
      return TopicArn!;
    }
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListTopicsCommand({ NextToken }));
      const found = page.Topics?.find((topic) => topic.TopicArn?.split(':').pop() === name);
      if (found?.TopicArn) return found.TopicArn;
      NextToken = page.NextToken;
    } while (NextToken);
    throw new SnsPublishError(`SNS topic '${name}' does not exist (set createIfMissing, or deploy it first)`);
  }

  private toEntry(record: T, id: number, fifo: boolean): Entry<T> {
    const fields = record as Record<string, unknown>;
    const entry: PublishBatchRequestEntry = {
      Id: `m${id}`,
      Message: JSON.stringify(record),
      MessageAttributes: recordAttributes(fields, this.options.attributes, this.options.staticAttributes),
    };
    if (fifo) {
      entry.MessageGroupId = this.options.groupId?.(fields) ?? String(fields.icao24 ?? 'default');
      entry.MessageDeduplicationId = sanitiseDedup(
        this.options.deduplicationId?.(fields) ?? `${fields.icao24 ?? ''}-${fields.time_position ?? ''}`,
      );
    }
    return { record, entry, size: entrySize(entry) };
  }

  /**
   * Publish `records`, one message each. Resolves when every record was
   * published or has failed after all retries; failures are returned, never
   * dropped.
   */
  async publish(records: readonly T[], options: { signal?: AbortSignal } = {}): Promise<PublishResult<T>> {
    if (this.closed) throw new SnsPublishError('the publisher is closed');
    if (records.length === 0) return { published: 0, failed: [] };
    const topicArn = await this.resolveTopic();
    const fifo = topicArn.endsWith('.fifo');
    const entries = records.map((record, i) => this.toEntry(record, i, fifo));
    const failed: FailedPublish<T>[] = [];
    let published = 0;
    const batches = packBatches(entries);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const result = await this.sendBatch(topicArn, batch, options.signal);
        published += result.published;
        failed.push(...result.failed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, batches.length) }, worker));
    this.stats.published += published;
    this.stats.failed += failed.length;
    return { published, failed };
  }

  /** Publish one record. Throws {@link SnsPublishError} if it failed after all retries. */
  async publishOne(record: T, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { failed } = await this.publish([record], options);
    if (failed[0]) throw new SnsPublishError(`publish failed: ${failed[0].code}: ${failed[0].message}`);
  }

  private async sendBatch(
    topicArn: string,
    batch: Entry<T>[],
    signal?: AbortSignal,
  ): Promise<PublishResult<T>> {
    let pending = batch;
    let published = 0;
    const rejected: FailedPublish<T>[] = [];
    let lastError: { code: string; message: string } = { code: 'Unknown', message: 'not attempted' };
    for (let attempt = 0; attempt <= this.options.maxRetries && pending.length > 0; attempt++) {
      if (attempt > 0) {
        this.stats.retries++;
        await sleep(backoffDelay(attempt, this.options.retryBaseMs, 5000), signal);
      }
      const started = performance.now();
      try {
        this.stats.requests++;
        const answer = await this.client.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: pending.map((e) => e.entry),
          }),
          { abortSignal: signal },
        );
        this.stats.lastLatencyMs = performance.now() - started;
        const failedIds = new Map((answer.Failed ?? []).map((f) => [f.Id, f]));
        const ok = pending.filter((e) => !failedIds.has(e.entry.Id));
        published += ok.length;
        this.stats.bytes += ok.reduce((sum, e) => sum + e.size, 0);
        const retry: Entry<T>[] = [];
        const permanent: FailedPublish<T>[] = [];
        for (const e of pending) {
          const failure = failedIds.get(e.entry.Id);
          if (!failure) continue;
          lastError = { code: failure.Code ?? 'Unknown', message: failure.Message ?? '' };
          // SenderFault entries fail again the same way; only the others are worth retrying.
          if (failure.SenderFault && !RETRYABLE_ENTRY_CODES.has(failure.Code ?? ''))
            permanent.push({ record: e.record, ...lastError });
          else retry.push(e);
        }
        if (permanent.length) {
          this.logger.warn('SNS rejected entries', { count: permanent.length, code: permanent[0]!.code });
          rejected.push(...permanent);
        }
        pending = retry;
      } catch (error) {
        if (signal?.aborted) throw error;
        const e = error as {
          name?: string;
          message?: string;
          $metadata?: { httpStatusCode?: number };
          $fault?: string;
        };
        lastError = { code: e.name ?? 'Error', message: e.message ?? String(error) };
        if (e.$fault === 'client' && !/Throttl/i.test(e.name ?? '')) break;
        this.logger.warn('PublishBatch failed, retrying', { attempt, error: lastError.message });
      }
    }
    return { published, failed: [...rejected, ...pending.map((e) => ({ record: e.record, ...lastError }))] };
  }

  /** Release the client (when the publisher created it). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) this.client.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
