/**
 * LambdaInvoker: the bridge from a Kafka consumer group to a Lambda function,
 * behaving like AWS's self-managed Kafka event source mapping: the same
 * event, batch size and window, order per partition, commits only after
 * success, retries with backoff, partial-batch responses, bisect-on-error,
 * a maximum record age, filters, and an on-failure destination (by default a
 * Kafka dead-letter topic). This module runs the consumer; one delivery is in
 * ./delivery.ts, one Invoke in ./invoke.ts.
 *
 * @module
 */

import { EventEmitter } from 'node:events';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DEFAULT_KAFKA_BROKERS } from '../config/defaults.ts';
import { KafkaError } from '../errors.ts';
import type { ConsumedRecord } from '../handler/event.ts';
import { createKafkaClientSeam } from '../kafka/clients/index.ts';
import type { BatchContext, ConsumedBatch, KafkaClient, KafkaProducer } from '../kafka/clients/types.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { loadTracing, startSpan, tracingActive } from '../tracing/spans.ts';
import { TRACEPARENT } from '../tracing/traceparent.ts';
import { ConsumerSupervisor } from './consumer-supervisor.ts';
import { KafkaDeadLetter } from './dead-letter.ts';
import { Delivery, Progress, StoppedError } from './delivery.ts';
import { commitStartingPosition, groupLag } from './group-offsets.ts';
import { keepAlive } from './heartbeat.ts';
import {
  headerText,
  type InvokeOutcome,
  invokeOnce,
  invokeTimeoutMs,
  LEGACY_KEY_WARNING,
  MAX_FUNCTION_TIMEOUT_MS,
  ProcessingResult,
  splitBatches,
} from './invoke.ts';
import { type InvokeTransport, restInvokeTransport, sdkInvokeTransport } from './invoke-transport.ts';
import {
  type LambdaInvokerOptions,
  type ResolvedLambdaInvokerOptions,
  resolveLambdaInvokerOptions,
} from './options.ts';
import { createStats, type LambdaInvokerEvents, type LambdaInvokerStats } from './stats.ts';

export {
  DeadLetterHeaders,
  type FailedRecords,
  type FailureReason,
  type OnFailureDestination,
} from './dead-letter.ts';
export { ProcessingResult, type ProcessingResultValue, splitBatches } from './invoke.ts';
export {
  DEFAULT_BATCH_SIZE,
  defaultLambdaInvokerOptions,
  type LambdaInvokerOptions,
  MAX_INVOKE_PAYLOAD_BYTES,
  type ResolvedLambdaInvokerOptions,
  resolveLambdaInvokerOptions,
  type StartingPosition,
} from './options.ts';
export type { LambdaInvokerEvents, LambdaInvokerStats } from './stats.ts';

/** Resolves true when `work` settled within `ms`, false when the time ran out first. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/**
 * Consumes a topic in a consumer group and invokes a Lambda function with
 * the records, at least once.
 *
 * @example
 * ```ts
 * const bridge = new LambdaInvoker({ functionName: 'opensky-stream-processor', brokers: ['127.0.0.1:9092'] });
 * await bridge.start();
 * process.on('SIGTERM', () => bridge.stop());
 * ```
 */
export class LambdaInvoker extends EventEmitter<LambdaInvokerEvents> {
  readonly stats: LambdaInvokerStats = createStats();
  readonly topic: string;
  readonly groupId: string;
  private readonly options: ResolvedLambdaInvokerOptions;
  private readonly kafka: KafkaClient;
  private readonly lambda: LambdaClient;
  private readonly transport: InvokeTransport;
  private readonly logger: Logger;
  private readonly delivery: Delivery;
  /** The group consumer and its restarts. */
  private readonly supervisor: ConsumerSupervisor;
  private producer: KafkaProducer | undefined;
  private deadLetter: KafkaDeadLetter | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private warnedLegacyKey = false; // once, that the function answers with the key `topic-partition`
  /** Batches being delivered: stop() lets them finish and commit before the consumer leaves. */
  private readonly inFlight = new Set<Promise<void>>();
  private invokeTimeoutMs: number = MAX_FUNCTION_TIMEOUT_MS;
  private result: string = ProcessingResult.NONE;
  private readonly abort = new AbortController();
  private readonly finished: Promise<void>;
  private settle!: (error?: Error) => void;

  constructor(options: LambdaInvokerOptions) {
    super();
    this.options = resolveLambdaInvokerOptions(options);
    this.topic = this.options.topic;
    this.groupId = this.options.groupId;
    this.logger = this.options.logger ?? silentLogger;
    this.kafka = createKafkaClientSeam({ ...this.options, logger: this.logger });
    this.lambda = this.options.lambda ?? new LambdaClient({});
    this.transport =
      (this.options.invokeTransport ?? (this.options.lambda ? 'sdk' : 'rest')) === 'rest'
        ? restInvokeTransport(this.lambda)
        : sdkInvokeTransport(this.lambda);
    const self = this;
    this.delivery = new Delivery({
      options: this.options,
      stats: this.stats,
      signal: this.abort.signal,
      logger: this.logger,
      get deadLetter() {
        return self.deadLetter;
      },
      invoke: (records) => this.invoke(records),
      setResult: (result) => this.setResult(result),
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
    });
    this.supervisor = this.consumerSupervisor();
    this.finished = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
    this.finished.catch(() => undefined); // reported through done(); never an unhandled rejection
  }

  /**
   * Settles when the invoker is done: resolves once {@link stop} has finished, rejects
   * with a {@link KafkaError} when consuming failed in a way no restart fixes
   * (authorization, the topic deleted). Broker outages never settle it: the consumer is
   * restarted until the broker is back.
   */
  done(): Promise<void> {
    return this.finished;
  }

  /**
   * True while the consumer is a member of the group and running: false before it joined,
   * after a crash until a restarted consumer joins, and after {@link stop}. For readiness checks.
   */
  get consuming(): boolean {
    return this.supervisor.consuming && !this.abort.signal.aborted;
  }

  /**
   * The outcome of the last Invoke, like an event source mapping's `LastProcessingResult`:
   * `'No records processed'` until the first, then `'OK'` or a `'PROBLEM: …'` (see
   * `ProcessingResult`). The `result` event tells each change.
   */
  get lastProcessingResult(): string {
    return this.result;
  }

  private setResult(result: string): void {
    if (result === this.result) return;
    this.result = result;
    this.emit('result', result);
  }

  /**
   * Join the group and start invoking. Resolves once consuming has started. Idempotent.
   * Rejects with a `ConfigError` when the function does not exist.
   */
  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  /** kafkajs's heartbeat interval, also the pace of heartbeats while a function runs. */
  private get heartbeatIntervalMs(): number {
    return Math.min(3000, Math.floor(this.options.sessionTimeoutMs / 3));
  }

  private async assertTopicExists(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        throw new KafkaError(`topic '${this.topic}' does not exist (\`opensky-stream produce\` creates it)`);
      }
      if (this.options.deadLetterTopic && !topics.includes(this.options.deadLetterTopic)) {
        await admin.createTopic({ topic: this.options.deadLetterTopic, partitions: 1 });
        this.logger.info('created the dead-letter topic', { topic: this.options.deadLetterTopic });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async run(): Promise<void> {
    await loadTracing();
    // The function first: a missing one is a configuration error, nothing is consumed or created.
    this.invokeTimeoutMs = await invokeTimeoutMs(this.lambda, this.options, this.logger);
    await this.assertTopicExists();
    const dlqTopic = this.options.deadLetterTopic;
    if (dlqTopic) {
      // Idempotent, acks -1, gzip, murmur2 keys (see the seam).
      this.producer = this.kafka.producer({ compression: 'gzip' });
      await this.producer.connect();
      this.deadLetter = new KafkaDeadLetter(this.producer, dlqTopic, this.options.deadLetterMaxBytes);
    }
    await this.supervisor.start();
  }

  /** The consumer's settings and the poller's part in its lifecycle. */
  private consumerSupervisor(): ConsumerSupervisor {
    const window = this.options.batchingWindowMs;
    const position = this.options.startingPosition;
    return new ConsumerSupervisor({
      kafka: this.kafka,
      topic: this.topic,
      consumer: {
        groupId: this.groupId,
        // The batching window: the broker holds a fetch until it has minBytes or the window passed.
        maxWaitTimeMs: Math.max(10, window),
        minBytes: window > 0 ? 64 * 1024 : 1,
        // What one fetch may hold, compressed (kafkajs's defaults: 1 MiB a partition, 10 MiB a fetch):
        // a 10,000-aircraft snapshot is 3.6 MiB of values, 0.5 MiB gzipped, so a fetch still brings whole snapshots, and
        // a poller draining a backlog holds tens rather than hundreds of MiB (a record larger than
        // this still comes whole: brokers return the first batch whatever its size).
        maxBytesPerPartition: 1024 * 1024,
        maxBytes: 3 * 1024 * 1024,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        heartbeatIntervalMs: this.heartbeatIntervalMs,
      },
      fromBeginning: position === 'TRIM_HORIZON',
      partitionsConsumedConcurrently: this.options.partitionConcurrency,
      restart: this.options.restart,
      signal: this.abort.signal,
      logger: this.logger,
      stats: this.stats,
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      // The topic may have been deleted meanwhile: that is fatal, not a reason to retry.
      check: () => this.assertTopicExists(),
      // The starting position, resolved once per group and committed before the consumer joins
      // (it finds no running member then), so a restart never re-resolves it (group-offsets.ts).
      beforeSubscribe: async () => {
        await commitStartingPosition(
          this.kafka,
          this.groupId,
          this.topic,
          position,
          this.logger,
          this.abort.signal,
        );
      },
      eachBatch: (batch, context) => this.handleBatch(batch, context),
      fail: (error) => this.fail(error),
    });
  }

  /** Consuming failed for good: report it through done() and stop. */
  private fail(error: Error): void {
    const failure = new KafkaError(`the bridge's Kafka consumer failed: ${error.message}`, {
      cause: error,
      retryable: false,
    });
    this.logger.error('the Kafka consumer failed; no restart can help', {
      groupId: this.groupId,
      error: error.message,
    });
    this.settle(failure);
    void this.stop();
  }

  private async handleBatch(batch: ConsumedBatch, context: BatchContext): Promise<void> {
    if (this.abort.signal.aborted) return;
    const work = this.processBatch(batch, context);
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async processBatch(
    { topic, partition, records }: ConsumedBatch,
    { heartbeat, isRunning, isStale }: BatchContext,
  ): Promise<void> {
    this.stats.recordsIn += records.length;
    this.stats.polled += records.length;
    const progress = new Progress(records);
    let committed: string | undefined;
    const commitProgress = async () => {
      const last = progress.last;
      if (last === undefined || last === committed) return;
      await this.commit(topic, partition, last);
      committed = last;
    };
    const stopBeating = keepAlive(heartbeat, this.heartbeatIntervalMs, this.logger);
    try {
      for (const chunk of splitBatches(records, this.options.batchSize, this.options.maxPayloadBytes)) {
        if (this.abort.signal.aborted || !isRunning() || isStale()) break;
        await this.delivery.run(chunk, progress);
        await commitProgress();
      }
    } catch (error) {
      // Stopped, or the failure destination failed: commit what was settled, then let go.
      if (!isStale()) await commitProgress().catch(() => undefined);
      if (!(error instanceof StoppedError)) throw error;
    } finally {
      stopBeating();
    }
  }

  /** One Invoke, inside a span when a tracer is registered. */
  private async invoke(records: ConsumedRecord[]): Promise<InvokeOutcome> {
    const { topic, partition } = records[0]!;
    const { functionName } = this.options;
    // The records' trace contexts reach the function untouched, in their headers, as AWS's
    // mapping passes them; the bridge's own span continues them.
    const span = tracingActive()
      ? startSpan(`invoke ${functionName}`, {
          kind: 'client',
          parents: records.map((r) => headerText(r.headers?.[TRACEPARENT])),
          attributes: {
            'faas.invoked_name': functionName,
            'messaging.destination.name': topic,
            'messaging.destination.partition.id': String(partition),
            'messaging.batch.message_count': records.length,
          },
        })
      : undefined;
    const started = performance.now();
    this.stats.invocations++;
    const outcome = await invokeOnce(this.transport, records, {
      functionName,
      bootstrapServers: this.options.brokers ?? [...DEFAULT_KAFKA_BROKERS],
      reportBatchItemFailures: this.options.reportBatchItemFailures,
      timeoutMs: this.invokeTimeoutMs,
      onLegacyKey: () => {
        if (this.warnedLegacyKey) return;
        this.warnedLegacyKey = true;
        this.logger.warn(LEGACY_KEY_WARNING, { functionName });
      },
    });
    const ms = performance.now() - started;
    if (outcome.kind !== 'not-invoked' && outcome.kind !== 'too-large') {
      this.stats.lastInvokeMs = ms;
      this.emit('invoke', { records: records.length, ms, partition });
    }
    const failed = outcome.kind === 'success' || outcome.kind === 'partial' ? undefined : outcome.error;
    span?.end(failed ? { error: failed } : {});
    return outcome;
  }

  private async commit(topic: string, partition: number, lastOffset: string): Promise<void> {
    const offset = String(Number(lastOffset) + 1);
    await this.supervisor.commit([{ topic, partition, offset }]);
    this.stats.committed++;
    this.emit('commit', { topic, partition, offset });
  }

  /** Consumer lag per partition: latest offset minus the group's committed offset. */
  lag(): Promise<Record<number, number>> {
    return groupLag(this.kafka, this.groupId, this.topic);
  }

  /**
   * Stop gracefully: no new invocation starts; the batches in flight finish their current
   * invocation and commit what completed (kafkajs skips commits once its consumer is
   * disconnecting, so this waits for them first, up to `stopTimeoutMs`); then the consumer
   * leaves the group and disconnects (given up on after `stopTimeoutMs`, e.g. when the
   * broker is gone). Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      await this.starting?.catch(() => undefined);
      await this.supervisor.restart?.catch(() => undefined);
      const timeoutMs = this.options.stopTimeoutMs;
      if (this.inFlight.size && !(await within(Promise.allSettled([...this.inFlight]), timeoutMs)))
        this.logger.warn('batches in flight did not finish in time; their records stay uncommitted', {
          groupId: this.groupId,
          timeoutMs,
        });
      if (!(await within(this.supervisor.disconnect(), timeoutMs)))
        this.logger.warn('the Kafka consumer did not disconnect in time; letting it go', {
          groupId: this.groupId,
          timeoutMs,
        });
      await this.producer?.disconnect().catch(() => undefined);
      this.transport.destroy();
      this.settle();
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
