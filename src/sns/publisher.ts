/**
 * SnsPublisher: processed records → JSON messages on one SNS topic, packed
 * into PublishBatch requests (≤ 10 entries, ≤ 256 KiB), retrying only the
 * entries that failed, and reporting every record that could not be published.
 *
 * @module
 */
import type { MessageAttributeValue, PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { RequestTimeoutError } from '../aws/signed-http.ts';
import { AbortError, SnsPublishError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { TRACEPARENT } from '../tracing/traceparent.ts';
import { backoffDelay, pause } from '../util/retry.ts';
import { isValidAttributeName, recordAttributes } from './attributes.ts';
import { entrySize, packBatches } from './batch.ts';
import { classifyError, isRetryableEntryFailure } from './classify.ts';
import { createSnsClient } from './client.ts';
import {
  PublishFailureCodes,
  PublishOutcomes,
  SNS_MAX_ATTRIBUTES,
  SNS_MAX_BATCH_BYTES,
} from './constants.ts';
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
  FailedPublish,
  PublishItem,
  PublishItemResult,
  PublishOptions,
  PublishResult,
  SnsPublisherStats,
} from './types.ts';

// Kept for modules that import these from here.
export type { SnsPublisherOptions } from './options.ts';
export type { FailedPublish, PublishResult, SnsPublisherStats } from './types.ts';

/** An item ready to send: its entry, its size, and its index in the call. */
interface Prepared {
  index: number;
  entry: PublishBatchRequestEntry;
  size: number;
}

/** An item that cannot be sent, and why. */
type Refused = Extract<PublishItemResult, { code: string }>;

/** The results of one call, filled in by index as batches complete. */
type Results = Array<PublishItemResult | undefined>;

/**
 * Publishes records as JSON messages to one SNS topic.
 *
 * - Packs PublishBatch requests by count (10) and bytes (256 KiB, message plus attributes).
 * - A PublishBatch answer may fail some entries: only those are retried (not
 *   the sender faults), with exponential backoff and full jitter; throttling,
 *   5xx and network errors of whole requests are retried the same way.
 * - Each item's result is reported at its index (published, failed, too large or
 *   aborted) and counted, never dropped.
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
 * const { results, published, failed } = await publisher.publish(
 *   records.map((record) => ({ record })),
 *   { signal },
 * );
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
   * Publish `items`, one message each. Resolves when every item was published
   * or has failed after all retries, with `results[i]` for `items[i]`
   * (`published + failed.length === items.length`). An abort of `signal` does
   * not reject: the items SNS had not confirmed end `aborted`. Rejects with
   * `SnsPublishError` when the topic cannot be resolved or the publisher is closed.
   */
  publish(items: readonly PublishItem<T>[], options: PublishOptions = {}): Promise<PublishResult<T>> {
    if (this.closing) return Promise.reject(new SnsPublishError('the publisher is closed'));
    const run = this.run(items, options.signal);
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  /**
   * Publish one record; resolves with its SNS message id. Throws
   * `SnsPublishError` (with the SNS code in `details.code`) if it failed
   * after all retries, `AbortError` if `signal` aborted first.
   */
  async publishOne(
    record: T,
    options: PublishOptions & Omit<PublishItem<T>, 'record'> = {},
  ): Promise<string> {
    const { signal, ...item } = options;
    const { results } = await this.publish([{ ...item, record }], { signal });
    const result = results[0]!;
    if (result.outcome === PublishOutcomes.PUBLISHED) return result.messageId;
    if (result.outcome === PublishOutcomes.ABORTED)
      throw new AbortError('publish aborted', { cause: signal?.reason });
    throw new SnsPublishError(`publish failed: ${result.code}: ${result.message}`, {
      details: { code: result.code },
    });
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
    items: readonly PublishItem<T>[],
    signal: AbortSignal | undefined,
  ): Promise<PublishResult<T>> {
    const results: Results = new Array(items.length);
    if (items.length === 0) return summarize(items, results);
    let topicArn: string | undefined;
    if (!signal?.aborted) {
      try {
        topicArn = await this.resolveTopic(signal ? { signal } : {});
      } catch (error) {
        if (!signal?.aborted) throw error;
      }
    }
    if (topicArn === undefined) return this.finish(items, results, signal);
    const fifo = isFifoTopic(topicArn);

    const ready: Prepared[] = [];
    let refused = 0;
    for (const [index, item] of items.entries()) {
      const prepared = this.prepare(item, index, fifo);
      if ('entry' in prepared) ready.push(prepared);
      else {
        results[index] = prepared;
        refused++;
      }
    }
    if (refused > 0) {
      const first = results.find((r) => r !== undefined && r.outcome !== PublishOutcomes.PUBLISHED);
      this.logger.warn('SNS records rejected before sending', { count: refused, code: first?.code });
    }

    // A lane is a sequence of batches sent one after another. Without FIFO every
    // batch is its own lane; with FIFO a message group always maps to the same
    // lane, so its messages reach SNS in order while other lanes run in parallel.
    const lanes: Prepared[][][] = fifo
      ? spreadByGroup(ready, this.options.concurrency).map((lane) => packBatches(lane))
      : packBatches(ready).map((batch) => [batch]);
    await Promise.all(
      lanes.map(async (lane) => {
        for (const batch of lane) await this.sendBatch(topicArn, batch, signal, results);
      }),
    );
    return this.finish(items, results, signal);
  }

  /** Results for every item (what was never sent ends aborted), counted in `stats`. */
  private finish(
    items: readonly PublishItem<T>[],
    results: Results,
    signal: AbortSignal | undefined,
  ): PublishResult<T> {
    for (let i = 0; i < items.length; i++) {
      results[i] ??= {
        outcome: PublishOutcomes.ABORTED,
        code: PublishFailureCodes.ABORTED,
        message: signal?.aborted ? 'stopped before the record was sent' : 'not sent',
      };
    }
    const result = summarize(items, results);
    this.stats.failed += result.failed.length;
    return result;
  }

  /** Build the PublishBatch entry of one item, or say why it cannot be sent. */
  private prepare(item: PublishItem<T>, index: number, fifo: boolean): Prepared | Refused {
    const { record } = item;
    const failure = (code: string, message: string): Refused => ({
      outcome:
        code === PublishFailureCodes.MESSAGE_TOO_LARGE ? PublishOutcomes.TOO_LARGE : PublishOutcomes.FAILED,
      code,
      message,
    });
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
      const extra = item.attributes ?? {};
      const invalid = Object.keys(extra).find((name) => !isValidAttributeName(name));
      if (invalid !== undefined)
        return failure(PublishFailureCodes.INVALID_ATTRIBUTE, `invalid attribute name '${invalid}'`);
      attributes = recordAttributes(record, this.options.attributes, {
        ...this.options.staticAttributes,
        ...extra,
      });
    } catch (error) {
      return failure(PublishFailureCodes.INVALID_ATTRIBUTE, `attribute function threw: ${String(error)}`);
    }
    let count = Object.keys(attributes).length;
    // The trace context yields to the data's attributes: never worth failing a message for.
    if (item.traceparent && count < SNS_MAX_ATTRIBUTES && attributes[TRACEPARENT] === undefined) {
      attributes[TRACEPARENT] = { DataType: 'String', StringValue: item.traceparent };
      count++;
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
    return { index, entry, size };
  }

  /**
   * Send one batch, retrying failed entries and failed requests within the budget; each
   * entry's result goes to `results` at its index.
   */
  private async sendBatch(
    topicArn: string,
    batch: Prepared[],
    signal: AbortSignal | undefined,
    results: Results,
  ): Promise<void> {
    let pending = batch;
    let failedHere = 0;
    let last = { code: 'Unknown', message: 'not sent' };
    const settle = (items: Prepared[], result: PublishItemResult) => {
      for (const { index } of items) results[index] = result;
      if (result.outcome !== PublishOutcomes.PUBLISHED) failedHere += items.length;
    };

    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (attempt > this.options.retry.limit) break;
        this.stats.retries++;
        const delay = backoffDelay(attempt, this.options.retry.baseMs, this.options.retry.maxDelayMs);
        this.logger.debug('retrying SNS entries', {
          attempt,
          entries: pending.length,
          delay,
          code: last.code,
        });
        if (!(await pause(delay, signal))) break;
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
        // A stalled connection must not hold the batch: each request has its own deadline.
        answer = await this.transport.publishBatch(
          topicArn,
          pending.map((p) => p.entry),
          signal,
          this.options.requestTimeoutMs,
        );
      } catch (error) {
        if (signal?.aborted) break;
        const failure =
          error instanceof RequestTimeoutError
            ? {
                code: PublishFailureCodes.REQUEST_TIMEOUT,
                message: `SNS did not answer within ${this.options.requestTimeoutMs} ms`,
                retryable: true,
                throttled: false,
              }
            : classifyError(error);
        last = { code: failure.code, message: failure.message };
        if (failure.throttled) this.stats.throttled++;
        if (!failure.retryable) {
          settle(pending, { outcome: PublishOutcomes.FAILED, ...last });
          pending = [];
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
      const retry: Prepared[] = [];
      for (const item of pending) {
        const id = item.entry.Id;
        if (succeeded.has(id)) {
          settle([item], { outcome: PublishOutcomes.PUBLISHED, messageId: succeeded.get(id) ?? '' });
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
          settle([item], { outcome: PublishOutcomes.FAILED, code, message });
        }
      }
      pending = retry;
    }

    if (pending.length > 0) {
      if (signal?.aborted)
        settle(pending, {
          outcome: PublishOutcomes.ABORTED,
          code: PublishFailureCodes.ABORTED,
          message: 'aborted before SNS confirmed the message',
        });
      else settle(pending, { outcome: PublishOutcomes.FAILED, ...last });
    }
    if (failedHere > 0 && !signal?.aborted) {
      this.logger.warn('SNS entries failed', { count: failedHere, code: last.code });
    }
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

/** The result of a call from its per-item results (every one set by now). */
function summarize<T>(items: readonly PublishItem<T>[], results: Results): PublishResult<T> {
  const settled = results as PublishItemResult[];
  const failed: FailedPublish<T>[] = [];
  let published = 0;
  settled.forEach((result, index) => {
    if (result.outcome === PublishOutcomes.PUBLISHED) published++;
    else failed.push({ index, record: items[index]!.record, code: result.code, message: result.message });
  });
  return { results: settled, published, failed };
}

/** Distribute entries over `lanes` lanes by message group, keeping their order. */
function spreadByGroup(entries: readonly Prepared[], lanes: number): Prepared[][] {
  const spread: Prepared[][] = Array.from({ length: lanes }, () => []);
  for (const entry of entries) spread[laneOf(entry.entry.MessageGroupId ?? '', lanes)]!.push(entry);
  return spread.filter((lane) => lane.length > 0);
}
