/**
 * SnsPublisher: processed records → JSON messages on one SNS topic, packed
 * into PublishBatch requests (≤ 10 entries, ≤ 256 KiB), retrying only the
 * entries that failed, and reporting every record that could not be published.
 *
 * @module
 */
import type { MessageAttributeValue, PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { AbortError, ConfigError, SnsPublishError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { TRACEPARENT } from '../tracing/traceparent.ts';
import { backoffDelay, sleep } from '../util/retry.ts';
import { type AttributeInput, isValidAttributeName, recordAttributes } from './attributes.ts';
import { entrySize, packBatches } from './batch.ts';
import { classifyError, isRetryableEntryFailure } from './classify.ts';
import { createSnsClient } from './client.ts';
import { PublishFailureCodes, SNS_MAX_ATTRIBUTES, SNS_MAX_BATCH_BYTES } from './constants.ts';
import { defaultDeduplicationId, defaultGroupId, laneOf, toFifoId } from './fifo.ts';
import { Limiter } from './limiter.ts';
import {
  type ResolvedSnsPublisherOptions,
  resolveSnsPublisherOptions,
  type SnsPublisherOptions,
} from './options.ts';
import { isFifoTopic, resolveTopicArn } from './topic.ts';
import {
  type PublishBatchAnswer,
  type PublishBatchTransport,
  queryTransport,
  sdkTransport,
} from './transport.ts';
import type {
  ExtraAttributes,
  FailedPublish,
  PublishOptions,
  PublishResult,
  SnsPublisherStats,
} from './types.ts';

// Kept for modules that import these from here.
export type { SnsPublisherOptions } from './options.ts';
export type { FailedPublish, PublishResult, SnsPublisherStats } from './types.ts';

/** A record ready to send: its entry, its size, and where it came from. */
interface Prepared<T> {
  record: T;
  entry: PublishBatchRequestEntry;
  size: number;
}

/** What happened to one batch after all its attempts. */
interface BatchOutcome<T> {
  published: number;
  failed: FailedPublish<T>[];
  messageIds: string[];
}

type AttributeMap = Readonly<Record<string, AttributeInput | null | undefined>>;

/**
 * Publishes records as JSON messages to one SNS topic.
 *
 * - Packs PublishBatch requests by count (10) and bytes (256 KiB, message plus attributes).
 * - A PublishBatch answer may fail some entries: only those are retried (not
 *   the sender faults), with exponential backoff and full jitter; throttling,
 *   5xx and network errors of whole requests are retried the same way.
 * - Records that still fail are returned in `failed` and counted, never dropped.
 * - FIFO topics (`.fifo`): group id and deduplication id per record; a message
 *   group always goes through the same lane, in order.
 *
 * @example
 * ```ts
 * await using publisher = new SnsPublisher<FlightRecord>({
 *   topicName: 'FlightNotifications',
 *   createIfMissing: true,
 *   attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
 * });
 * const { published, failed } = await publisher.publish(records, { signal });
 * ```
 */
export class SnsPublisher<T extends object = object> implements AsyncDisposable {
  /** Live counters, updated in place as requests complete. */
  readonly stats: SnsPublisherStats = {
    published: 0,
    failed: 0,
    requests: 0,
    retries: 0,
    throttled: 0,
    bytes: 0,
    lastLatencyMs: 0,
  };
  private readonly options: ResolvedSnsPublisherOptions<T>;
  private readonly client: SNSClient;
  private readonly transport: PublishBatchTransport;
  private readonly ownsClient: boolean;
  private readonly logger: Logger;
  private readonly limiter: Limiter;
  private topic: Promise<string> | undefined;
  private readonly running = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  /** Throws `ConfigError` naming the option when `options` are invalid. */
  constructor(options: SnsPublisherOptions<T> = {}) {
    this.options = resolveSnsPublisherOptions(options);
    this.ownsClient = this.options.client === undefined;
    this.client =
      this.options.client ??
      createSnsClient({
        ...(this.options.region ? { region: this.options.region } : {}),
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      });
    const transport = this.options.transport ?? (this.ownsClient ? 'query' : 'sdk');
    this.transport = transport === 'query' ? queryTransport(this.client) : sdkTransport(this.client);
    this.logger = this.options.logger ?? silentLogger;
    this.limiter = new Limiter(this.options.concurrency);
    if (this.options.topicArn) this.topic = Promise.resolve(this.options.topicArn);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * The topic's ARN: `topicArn`, or `topicName` looked up with ListTopics (or
   * created with `createIfMissing`) on first use. A failed lookup is retried on
   * the next call.
   */
  resolveTopic(options: { signal?: AbortSignal } = {}): Promise<string> {
    // One lookup shared by concurrent callers; a caller's signal stops its wait, not the lookup.
    this.topic ??= resolveTopicArn(this.client, this.options.topicName ?? '', {
      createIfMissing: this.options.createIfMissing,
    }).catch((error: unknown) => {
      this.topic = undefined;
      throw error;
    });
    return options.signal ? abortable(this.topic, options.signal) : this.topic;
  }

  /**
   * Publish `records`, one message each. Resolves when every record was
   * published or has failed after all retries: `published + failed.length ===
   * records.length`. Rejects with `SnsPublishError` when the topic cannot be
   * resolved or the publisher is closed, with `ConfigError` for invalid extra
   * attribute names, and with `AbortError` when `signal` aborts (its
   * `details.result` holds what was done, unconfirmed records failed as `Aborted`).
   */
  publish(records: readonly T[], options: PublishOptions<T> = {}): Promise<PublishResult<T>> {
    if (this.closing) return Promise.reject(new SnsPublishError('the publisher is closed'));
    const run = this.run(records, options);
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run.then(({ published, failed }) => ({ published, failed }));
  }

  /**
   * Publish one record; resolves with its SNS message id. Throws
   * `SnsPublishError` (with the SNS code in `details.code`) if it failed
   * after all retries.
   */
  async publishOne(record: T, options: PublishOptions<T> = {}): Promise<string> {
    if (this.closing) throw new SnsPublishError('the publisher is closed');
    const run = this.run([record], options);
    this.running.add(run);
    try {
      const { failed, messageIds } = await run;
      const failure = failed[0];
      if (failure) {
        throw new SnsPublishError(`publish failed: ${failure.code}: ${failure.message}`, {
          details: { code: failure.code },
        });
      }
      return messageIds[0] ?? '';
    } finally {
      this.running.delete(run);
    }
  }

  /**
   * Wait for running publishes to finish, then release the client when the
   * publisher created it. Idempotent; later `publish` calls reject.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.running]);
      this.transport.destroy();
      if (this.ownsClient) this.client.destroy();
    })();
    return this.closing;
  }

  /** `await using publisher = new SnsPublisher(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async run(
    records: readonly T[],
    options: PublishOptions<T>,
  ): Promise<PublishResult<T> & { messageIds: string[] }> {
    const { signal } = options;
    const result: PublishResult<T> & { messageIds: string[] } = { published: 0, failed: [], messageIds: [] };
    if (signal?.aborted) throw new AbortError('publish aborted', { cause: signal.reason });
    if (records.length === 0) return result;
    const extra = checkExtraAttributes(options.attributes);
    const trace = options.traceparent;
    const topicArn = await this.resolveTopic(signal ? { signal } : {});
    const fifo = isFifoTopic(topicArn);

    const ready: Prepared<T>[] = [];
    for (const [index, record] of records.entries()) {
      const prepared = this.prepare(record, index, fifo, extra, trace);
      if ('entry' in prepared) ready.push(prepared);
      else this.fail(result, [prepared]);
    }
    if (result.failed.length > 0) {
      this.logger.warn('SNS records rejected before sending', {
        count: result.failed.length,
        code: result.failed[0]?.code,
      });
    }

    // A lane is a sequence of batches sent one after another. Without FIFO every
    // batch is its own lane; with FIFO a message group always maps to the same
    // lane, so its messages reach SNS in order while other lanes run in parallel.
    const lanes: Prepared<T>[][][] = fifo
      ? spreadByGroup(ready, this.options.concurrency).map((lane) => packBatches(lane))
      : packBatches(ready).map((batch) => [batch]);
    await Promise.all(
      lanes.map(async (lane) => {
        for (const batch of lane) {
          const outcome = await this.sendBatch(topicArn, batch, signal);
          result.published += outcome.published;
          result.messageIds.push(...outcome.messageIds);
          this.fail(result, outcome.failed);
        }
      }),
    );
    if (signal?.aborted) {
      const { messageIds: _, ...summary } = result;
      throw new AbortError('publish aborted', { cause: signal.reason, details: { result: summary } });
    }
    return result;
  }

  private fail(result: PublishResult<T>, failed: FailedPublish<T>[]): void {
    if (failed.length === 0) return;
    result.failed.push(...failed);
    this.stats.failed += failed.length;
  }

  /** Build the PublishBatch entry of one record, or say why it cannot be sent. */
  private prepare(
    record: T,
    index: number,
    fifo: boolean,
    extra: AttributeMap | ((record: T, index: number) => AttributeMap | undefined),
    trace: PublishOptions<T>['traceparent'],
  ): Prepared<T> | FailedPublish<T> {
    const failure = (code: string, message: string): FailedPublish<T> => ({ record, code, message });
    let message: unknown;
    try {
      message = this.options.serialize ? this.options.serialize(record) : JSON.stringify(record);
    } catch (error) {
      return failure(PublishFailureCodes.SERIALIZATION, `cannot serialise the record: ${String(error)}`);
    }
    if (typeof message !== 'string' || message === '')
      return failure(PublishFailureCodes.SERIALIZATION, 'the record serialised to no text');

    let attributes: Record<string, MessageAttributeValue>;
    try {
      const perRecord = typeof extra === 'function' ? (extra(record, index) ?? {}) : extra;
      const invalid = Object.keys(perRecord).find((name) => !isValidAttributeName(name));
      if (invalid !== undefined)
        return failure(PublishFailureCodes.INVALID_ATTRIBUTE, `invalid attribute name '${invalid}'`);
      attributes = recordAttributes(record, this.options.attributes, {
        ...this.options.staticAttributes,
        ...perRecord,
      });
    } catch (error) {
      return failure(PublishFailureCodes.INVALID_ATTRIBUTE, `attribute function threw: ${String(error)}`);
    }
    let count = Object.keys(attributes).length;
    if (trace && count < SNS_MAX_ATTRIBUTES && attributes[TRACEPARENT] === undefined) {
      let traceparent: string | undefined;
      try {
        traceparent = trace(record, index);
      } catch {
        traceparent = undefined; // a trace context is never worth failing the message for
      }
      if (traceparent) {
        attributes[TRACEPARENT] = { DataType: 'String', StringValue: traceparent };
        count++;
      }
    }
    if (count > SNS_MAX_ATTRIBUTES) {
      return failure(
        PublishFailureCodes.TOO_MANY_ATTRIBUTES,
        `${count} message attributes, at most ${SNS_MAX_ATTRIBUTES} allowed`,
      );
    }

    const entry: PublishBatchRequestEntry = { Id: `r${index}`, Message: message };
    if (count > 0) entry.MessageAttributes = attributes;
    if (fifo) {
      entry.MessageGroupId = toFifoId((this.options.groupId ?? defaultGroupId)(record) || 'default');
      entry.MessageDeduplicationId = toFifoId(
        this.options.deduplicationId?.(record, message) || defaultDeduplicationId(record, message),
      );
    }
    const size = entrySize(entry);
    if (size > SNS_MAX_BATCH_BYTES) {
      return failure(
        PublishFailureCodes.MESSAGE_TOO_LARGE,
        `message and attributes are ${size} bytes, at most ${SNS_MAX_BATCH_BYTES} allowed`,
      );
    }
    return { record, entry, size };
  }

  /** Send one batch, retrying failed entries and failed requests within the budget. */
  private async sendBatch(
    topicArn: string,
    batch: Prepared<T>[],
    signal: AbortSignal | undefined,
  ): Promise<BatchOutcome<T>> {
    const outcome: BatchOutcome<T> = { published: 0, failed: [], messageIds: [] };
    let pending = batch;
    let last = { code: 'Unknown', message: 'not sent' };
    const reportPending = (code: string, message: string) => {
      outcome.failed.push(...pending.map(({ record }) => ({ record, code, message })));
      pending = [];
    };

    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (attempt > this.options.maxRetries) break;
        this.stats.retries++;
        const delay = backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxDelayMs);
        this.logger.debug('retrying SNS entries', {
          attempt,
          entries: pending.length,
          delay,
          code: last.code,
        });
        try {
          await sleep(delay, signal);
        } catch {
          break;
        }
      }
      let release: () => void;
      try {
        release = await this.limiter.acquire(signal);
      } catch {
        break;
      }
      let answer: PublishBatchAnswer;
      const started = performance.now();
      try {
        this.stats.requests++;
        answer = await this.transport.publishBatch(
          topicArn,
          pending.map((p) => p.entry),
          signal,
        );
      } catch (error) {
        if (signal?.aborted) break;
        const failure = classifyError(error);
        last = { code: failure.code, message: failure.message };
        if (failure.throttled) this.stats.throttled++;
        if (!failure.retryable) {
          reportPending(failure.code, failure.message);
          break;
        }
        this.logger.warn('PublishBatch request failed', {
          attempt,
          code: failure.code,
          error: failure.message,
        });
        continue;
      } finally {
        this.stats.lastLatencyMs = performance.now() - started;
        release();
      }

      const succeeded = new Map((answer.Successful ?? []).map((s) => [s.Id, s.MessageId]));
      const failedById = new Map((answer.Failed ?? []).map((f) => [f.Id, f]));
      const retry: Prepared<T>[] = [];
      for (const item of pending) {
        const id = item.entry.Id;
        if (succeeded.has(id)) {
          outcome.published++;
          outcome.messageIds.push(succeeded.get(id) ?? '');
          this.stats.published++;
          this.stats.bytes += item.size;
          continue;
        }
        const failure = failedById.get(id);
        if (!failure) {
          // Neither listed as successful nor as failed: never assume success.
          last = { code: PublishFailureCodes.NO_RESULT, message: 'SNS did not report on this entry' };
          retry.push(item);
          continue;
        }
        const code = failure.Code ?? 'Unknown';
        const message = failure.Message ?? '';
        if (/throttl/i.test(code)) this.stats.throttled++;
        if (isRetryableEntryFailure(failure)) {
          last = { code, message };
          retry.push(item);
        } else {
          outcome.failed.push({ record: item.record, code, message });
        }
      }
      pending = retry;
    }

    if (pending.length > 0) {
      if (signal?.aborted)
        reportPending(PublishFailureCodes.ABORTED, 'aborted before SNS confirmed the message');
      else reportPending(last.code, last.message);
    }
    if (outcome.failed.length > 0 && !signal?.aborted) {
      this.logger.warn('SNS entries failed', { count: outcome.failed.length, code: outcome.failed[0]?.code });
    }
    return outcome;
  }
}

/** `promise`, or a rejection with {@link AbortError} as soon as `signal` aborts. */
function abortable<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) return Promise.reject(new AbortError('publish aborted', { cause: signal.reason }));
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(new AbortError('publish aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Check a per-call attribute map once; a function is checked per record. */
function checkExtraAttributes<T>(
  extra: ExtraAttributes<T> | undefined,
): AttributeMap | ((record: T, index: number) => AttributeMap | undefined) {
  if (extra === undefined) return {};
  if (typeof extra === 'function') return extra;
  for (const name of Object.keys(extra)) {
    if (!isValidAttributeName(name))
      throw new ConfigError(`/publish/attributes/${name}`, 'is not a valid SNS attribute name');
  }
  return extra;
}

/** Distribute entries over `lanes` lanes by message group, keeping their order. */
function spreadByGroup<T>(entries: readonly Prepared<T>[], lanes: number): Prepared<T>[][] {
  const spread: Prepared<T>[][] = Array.from({ length: lanes }, () => []);
  for (const entry of entries) spread[laneOf(entry.entry.MessageGroupId ?? '', lanes)]!.push(entry);
  return spread.filter((lane) => lane.length > 0);
}
