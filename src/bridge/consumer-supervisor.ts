/**
 * The poller's consumer supervisor: one group consumer at a time, through the
 * Kafka client seam, restarted after a crash from the committed offsets (with
 * backoff, counted and logged) until it runs again, the poller stops, or an
 * error no restart fixes ends it. Neither kafkajs (which does not restart
 * after errors it deems non-retriable) nor @platformatic/kafka restart a
 * consumer whose handler threw, so both are supervised here the same way.
 *
 * @module
 */
import { isOpenSkyStreamError } from '../errors.ts';
import type {
  KafkaClient,
  KafkaConsumer,
  KafkaConsumerOptions,
  KafkaConsumerRunOptions,
} from '../kafka/clients/types.ts';
import { classifyKafkaError } from '../kafka/failures.ts';
import type { Logger } from '../logger.ts';
import { backoffDelay, pause, type ResolvedRetryOptions } from '../util/retry.ts';
import type { LambdaInvokerEvents, LambdaInvokerStats } from './stats.ts';

/** True when a consumer crash is one no restart fixes (authorization, a deleted topic, a configuration error). */
export function isFatalCrash(error: unknown): boolean {
  if (isOpenSkyStreamError(error)) return !error.retryable;
  return classifyKafkaError(error) === 'fatal';
}

/** What a {@link ConsumerSupervisor} runs and whom it tells. */
export interface ConsumerSupervisorOptions {
  kafka: KafkaClient;
  topic: string;
  consumer: KafkaConsumerOptions;
  /** Where a partition without a committed offset starts: the log start, or its end. */
  fromBeginning: boolean;
  partitionsConsumedConcurrently: number;
  /** The backoff between restarts (its `limit` is not used: only a fatal error or `signal` ends them). */
  restart: Pick<ResolvedRetryOptions, 'baseMs' | 'maxDelayMs'>;
  /** Aborted when the poller stops: no more (re)starts. */
  signal: AbortSignal;
  logger: Logger;
  stats: Pick<LambdaInvokerStats, 'crashes' | 'restarts'>;
  emit<E extends 'crash' | 'restart'>(event: E, ...args: LambdaInvokerEvents[E]): void;
  /** Checked before each restart (the topic may have been deleted); a fatal throw ends the restarts. */
  check(): Promise<void>;
  /** Runs after the consumer connected, before it subscribes (the starting position is committed here). */
  beforeSubscribe(): Promise<void>;
  eachBatch: KafkaConsumerRunOptions['eachBatch'];
  /** Consuming failed for good (a fatal crash, or a fatal error while restarting). */
  fail(error: Error): void;
}

/** Runs the poller's consumer and restarts it after crashes. */
export class ConsumerSupervisor {
  private readonly options: ConsumerSupervisorOptions;
  private current: KafkaConsumer | undefined;
  private restarting: Promise<void> | undefined;
  /** Set when the consumer crashed while a restart was starting it. */
  private crashedWhileRestarting = false;
  /** Consecutive crashes and failed restarts without a successful fetch in between. */
  private crashStreak = 0;
  /** The current consumer has joined the group and not crashed or stopped since. */
  private joined = false;

  constructor(options: ConsumerSupervisorOptions) {
    this.options = options;
  }

  /** True while the current consumer is a member of the group and has not crashed. */
  get consuming(): boolean {
    return this.joined;
  }

  /** The restart under way, if any (stop waits for it). */
  get restart(): Promise<void> | undefined {
    return this.restarting;
  }

  /** A new consumer in the group, consuming from the committed offsets (or the starting position). */
  async start(): Promise<void> {
    const o = this.options;
    const consumer = o.kafka.consumer(o.consumer);
    this.current = consumer;
    this.joined = false;
    consumer.on('join', () => {
      if (consumer === this.current) this.joined = true;
    });
    consumer.on('crash', (error) => this.crashed(consumer, error));
    consumer.on('fetch', () => {
      if (consumer === this.current) this.crashStreak = 0;
    });
    await consumer.connect();
    await o.beforeSubscribe();
    if (o.signal.aborted) return;
    await consumer.subscribe(o.topic, { fromBeginning: o.fromBeginning });
    await consumer.run({
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      eachBatch: o.eachBatch,
    });
  }

  /** Commit through the current consumer: the next offsets to read, per partition. */
  commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>): Promise<void> {
    return this.current!.commit(offsets);
  }

  /** Leave the group and close the current consumer. */
  async disconnect(): Promise<void> {
    this.joined = false;
    await this.current?.disconnect();
  }

  /** The consumer has stopped and disconnected. Restart it, unless nothing can help. */
  private crashed(consumer: KafkaConsumer, error: Error): void {
    const o = this.options;
    if (consumer !== this.current || o.signal.aborted) return;
    this.joined = false;
    o.stats.crashes++;
    this.crashStreak++;
    const fatal = isFatalCrash(error);
    o.emit('crash', { error, restarting: !fatal, crashes: o.stats.crashes });
    if (fatal) {
      o.fail(error);
      return;
    }
    o.logger.warn('the Kafka consumer crashed; restarting it from the committed offsets', {
      groupId: o.consumer.groupId,
      error: error.message,
      crashes: o.stats.crashes,
    });
    if (this.restarting) this.crashedWhileRestarting = true;
    else void this.restartLoop();
  }

  /** Start a new consumer after backoff, until one runs, the poller stops, or a fatal error. */
  private restartLoop(): Promise<void> {
    const o = this.options;
    this.restarting ??= (async () => {
      try {
        for (let attempt = 1; ; attempt++) {
          const delay = backoffDelay(this.crashStreak, o.restart.baseMs, o.restart.maxDelayMs);
          if (!(await pause(delay, o.signal))) return;
          await this.current?.disconnect().catch(() => undefined);
          this.crashedWhileRestarting = false;
          try {
            await o.check();
            await this.start();
          } catch (error) {
            if (o.signal.aborted) return;
            if (isFatalCrash(error)) {
              o.fail(error as Error);
              return;
            }
            this.crashStreak++;
            o.logger.warn('could not restart the Kafka consumer; trying again', {
              groupId: o.consumer.groupId,
              attempt,
              error: (error as Error).message,
            });
            continue;
          }
          if (o.signal.aborted) return;
          if (this.crashedWhileRestarting) continue; // it crashed while joining: go round again
          o.stats.restarts++;
          o.emit('restart', { attempt, restarts: o.stats.restarts });
          o.logger.info('restarted the Kafka consumer', {
            groupId: o.consumer.groupId,
            attempt,
            restarts: o.stats.restarts,
          });
          return;
        }
      } finally {
        this.restarting = undefined;
      }
    })();
    return this.restarting;
  }
}
