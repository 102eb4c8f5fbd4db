/**
 * Delivering one partition's records to the function until each is accounted
 * for: invoked successfully, filtered out, or given up on (dead-lettered, sent
 * to the on-failure destination, or dropped and counted). Retries with capped
 * backoff, bisects, splits payloads Lambda refuses as too large, and re-checks
 * the records' age before every attempt, like AWS's event source mapping.
 *
 * @module
 */
import { AbortError, LambdaInvokeError } from '../errors.ts';
import type { ConsumedRecord } from '../handler/event.ts';
import type { Logger } from '../logger.ts';
import { backoffDelay, sleep } from '../util/retry.ts';
import type { FailedRecords, FailureReason, KafkaDeadLetter } from './dead-letter.ts';
import { type InvokeOutcome, ProcessingResult, type ProcessingResultValue, tooLargeAlone } from './invoke.ts';
import type { ResolvedLambdaInvokerOptions } from './options.ts';
import type { LambdaInvokerEvents, LambdaInvokerStats } from './stats.ts';

/**
 * Which records of a Kafka batch are accounted for, and the last offset before the first
 * one that is not: what may be committed. Records may be settled out of order (an expired
 * record in the middle, the halves of a bisected batch), the commit point only moves forward.
 */
export class Progress {
  private readonly settled = new Set<string>();
  private next = 0;
  private readonly records: readonly ConsumedRecord[];
  constructor(records: readonly ConsumedRecord[]) {
    this.records = records;
  }

  settle(records: readonly ConsumedRecord[]): void {
    for (const record of records) this.settled.add(record.offset);
    while (this.next < this.records.length && this.settled.has(this.records[this.next]!.offset)) this.next++;
  }

  /** The offset of the last record of the settled prefix, if any. */
  get last(): string | undefined {
    return this.next > 0 ? this.records[this.next - 1]!.offset : undefined;
  }
}

/** What a {@link Delivery} needs of its invoker. */
export interface DeliveryHost {
  readonly options: ResolvedLambdaInvokerOptions;
  readonly stats: LambdaInvokerStats;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly deadLetter: KafkaDeadLetter | undefined;
  invoke(records: ConsumedRecord[]): Promise<InvokeOutcome>;
  setResult(result: ProcessingResultValue): void;
  emit<K extends keyof LambdaInvokerEvents>(event: K, ...args: LambdaInvokerEvents[K]): boolean;
}

/** Thrown when `stop()` interrupts a delivery: what was settled is committed, the rest is not. */
export class StoppedError extends AbortError {
  constructor() {
    super('stopped while delivering; the rest stays uncommitted');
  }
}

const describe = (error: LambdaInvokeError | undefined): FailedRecords['error'] =>
  error ? { type: error.functionError ?? error.name, message: error.message } : undefined;

/** Delivers records of one partition; see the module. */
export class Delivery {
  private readonly host: DeliveryHost;
  constructor(host: DeliveryHost) {
    this.host = host;
  }

  /** Filter, expire and invoke `records` (one chunk of a batch, in offset order). */
  async run(records: ConsumedRecord[], progress: Progress): Promise<void> {
    const { filter } = this.host.options;
    let pending = records;
    if (filter) {
      const kept = pending.filter((record) => this.matches(filter, record));
      const dropped = pending.length - kept.length;
      if (dropped) {
        this.host.stats.filteredOut += dropped;
        progress.settle(pending.filter((record) => !kept.includes(record)));
      }
      pending = kept;
    }
    if (pending.length) await this.deliver(pending, progress);
  }

  private matches(filter: (record: ConsumedRecord) => boolean, record: ConsumedRecord): boolean {
    try {
      return filter(record);
    } catch (error) {
      // A filter that throws cannot say the record is unwanted: invoke it rather than lose it.
      this.host.logger.warn('the record filter threw; invoking the record', {
        partition: record.partition,
        offset: record.offset,
        error: (error as Error).message,
      });
      return true;
    }
  }

  /** Invoke until every record is settled. Throws {@link StoppedError} when stopped first. */
  private async deliver(records: ConsumedRecord[], progress: Progress): Promise<void> {
    const { options, stats } = this.host;
    const { partition } = records[0]!;
    let pending = records;
    let lastError: LambdaInvokeError | undefined;
    // Failed attempts that ran the function. As with AWS's event source mappings, an Invoke
    // that did not run it (throttled, denied, not found, a service error, no answer) is
    // retried with backoff until it gets through and never counts towards giving up.
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        stats.retries++;
        await sleep(
          backoffDelay(attempt, options.retry.baseMs, options.retry.maxDelayMs),
          this.host.signal,
        ).catch(() => undefined);
      }
      // After stop() no new invocation starts; what is not delivered stays uncommitted.
      if (this.host.signal.aborted) throw new StoppedError();
      pending = await this.withoutExpired(pending, progress, attempt, lastError);
      pending = await this.withoutOversized(pending, progress);
      if (pending.length === 0) return;
      const outcome = await this.host.invoke(pending);
      if (outcome.kind === 'success') {
        stats.invokedEvents += pending.length;
        this.host.setResult(ProcessingResult.OK);
        progress.settle(pending);
        return;
      }
      if (outcome.kind === 'partial') {
        // What precedes the first failed record succeeded.
        stats.invokedEvents += pending.length;
        stats.partialFailures++;
        this.host.setResult(ProcessingResult.OK);
        progress.settle(pending.filter((r) => Number(r.offset) < outcome.failedFrom));
        pending = pending.filter((r) => Number(r.offset) >= outcome.failedFrom);
        stats.failedInvokeEvents += pending.length;
        lastError = new LambdaInvokeError(
          `function reported ${pending.length} failed records from offset ${outcome.failedFrom}`,
          'Partial',
        );
        if (pending.length === 0) return;
      } else {
        stats.errors++;
        this.host.emit('invokeError', { error: outcome.error, partition, attempt });
        this.host.logger.warn('invocation failed', {
          topic: pending[0]!.topic,
          partition,
          records: pending.length,
          attempt,
          outcome: outcome.kind,
          error: outcome.error.message,
        });
        if (outcome.kind === 'not-invoked') {
          this.host.setResult(outcome.result);
          continue;
        }
        if (outcome.kind === 'too-large') {
          this.host.setResult(ProcessingResult.TOO_LARGE);
          // Splitting needs no retry quota: each half is delivered on its own.
          if (pending.length === 1)
            return this.giveUp(pending, progress, 'unrepresentable', outcome.error, attempt + 1);
          return this.halves(pending, progress);
        }
        stats.invokedEvents += pending.length;
        stats.failedInvokeEvents += pending.length;
        this.host.setResult(ProcessingResult.FUNCTION_ERROR);
        lastError = outcome.error;
        if (options.bisectBatchOnFunctionError && pending.length > 1 && outcome.error.functionError)
          return this.halves(pending, progress);
      }
      failures++;
      // `limit` is Infinity for ESM's MaximumRetryAttempts -1: never exhausted.
      const exhausted = failures > options.retry.limit;
      // Without a destination the batch is retried until it succeeds (or expires): never lost,
      // unless the caller asked for AWS's discard (`whenExhausted: 'drop'`).
      if (exhausted && (this.hasDestination() || options.whenExhausted === 'drop'))
        return this.giveUp(pending, progress, 'retries-exhausted', lastError, attempt + 1);
    }
  }

  private async halves(records: ConsumedRecord[], progress: Progress): Promise<void> {
    const half = Math.ceil(records.length / 2);
    await this.deliver(records.slice(0, half), progress);
    await this.deliver(records.slice(half), progress);
  }

  private hasDestination(): boolean {
    return Boolean(this.host.options.onFailure || this.host.deadLetter);
  }

  /** Give up on records older than `maximumRecordAgeSeconds`; the rest. */
  private async withoutExpired(
    records: ConsumedRecord[],
    progress: Progress,
    attempts: number,
    lastError: LambdaInvokeError | undefined,
  ): Promise<ConsumedRecord[]> {
    const maxAge = this.host.options.maximumRecordAgeSeconds;
    if (maxAge < 0) return records;
    const cutoff = Date.now() - maxAge * 1000;
    const expired = records.filter((r) => Number(r.timestamp) < cutoff);
    if (expired.length === 0) return records;
    const error = new LambdaInvokeError(
      `record older than maximumRecordAgeSeconds (${maxAge})${lastError ? `; last error: ${lastError.message}` : ''}`,
      undefined,
    );
    await this.giveUp(expired, progress, 'expired', error, attempts);
    return records.filter((r) => Number(r.timestamp) >= cutoff);
  }

  /** Give up on records no Invoke can carry (alone over the payload limit); the rest. */
  private async withoutOversized(records: ConsumedRecord[], progress: Progress): Promise<ConsumedRecord[]> {
    const limit = this.host.options.maxPayloadBytes;
    const oversized = records.filter((r) => tooLargeAlone(r, limit));
    if (oversized.length === 0) return records;
    const error = new LambdaInvokeError(
      `record alone exceeds the Invoke payload limit of ${limit} bytes`,
      undefined,
    );
    await this.giveUp(oversized, progress, 'unrepresentable', error, 0);
    return records.filter((r) => !oversized.includes(r));
  }

  /** Send records to the failure destination (retried until it takes them), or drop and count them. */
  private async giveUp(
    records: ConsumedRecord[],
    progress: Progress,
    reason: FailureReason,
    error: LambdaInvokeError | undefined,
    attempts: number,
  ): Promise<void> {
    const { options, stats, logger, deadLetter } = this.host;
    const failure: FailedRecords = {
      records,
      reason,
      attempts,
      functionName: options.functionName,
      ...(error ? { error: describe(error) } : {}),
    };
    const partition = records[0]!.partition;
    const destination = options.onFailure ? 'onFailure' : deadLetter ? 'kafka' : 'none';
    if (destination === 'none') {
      stats.dropped += records.length;
      logger.error('records dropped: no failure destination', { partition, records: records.length, reason });
    } else {
      for (let attempt = 1; ; attempt++) {
        try {
          if (options.onFailure) await options.onFailure.deliver(failure);
          else await deadLetter!.write(failure);
          break;
        } catch (caught) {
          // Not delivered: the records stay uncommitted; retry (a broker or queue briefly away).
          logger.warn('could not deliver records to the failure destination; retrying', {
            partition,
            destination,
            attempt,
            error: (caught as Error).message,
          });
          await sleep(
            backoffDelay(attempt, options.retry.baseMs, options.retry.maxDelayMs),
            this.host.signal,
          ).catch(() => undefined);
          if (this.host.signal.aborted) throw new StoppedError();
        }
      }
      if (destination === 'onFailure') stats.onFailureDelivered += records.length;
      else stats.deadLettered += records.length;
      logger.error('records sent to the failure destination', {
        destination: destination === 'kafka' ? deadLetter!.topic : 'onFailure',
        partition,
        records: records.length,
        reason,
        error: error?.message,
      });
    }
    this.host.emit('deadLetter', { records: records.length, reason, partition, destination });
    progress.settle(records);
  }
}
