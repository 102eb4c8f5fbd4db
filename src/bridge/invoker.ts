/**
 * LambdaInvoker: the bridge from a Kafka consumer group to a Lambda function,
 * behaving like AWS's self-managed Kafka event source mapping: the same
 * event, batch size and window, order per partition, commits only after
 * success, retries with backoff, partial-batch responses, bisect-on-error,
 * a maximum record age, and a Kafka dead-letter topic.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type Consumer, type EachBatchPayload, Partitioners, type Producer } from 'kafkajs';
import { ConfigError, isOpenSkyStreamError, KafkaError, LambdaInvokeError } from '../errors.ts';
import { createKafkaClient, type KafkaConnectionOptions, type KafkaLike } from '../kafka/client.ts';
import { classifyKafkaError } from '../kafka/failures.ts';
import {
  buildKafkaEvent,
  type ConsumedRecord,
  eventRecordSize,
  parseBatchResponse,
} from '../lambda/event.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { loadTracing, startSpan, tracingActive } from '../tracing/spans.ts';
import { TRACEPARENT } from '../tracing/traceparent.ts';
import { backoffDelay, pause, sleep } from '../util/retry.ts';

/** Lambda's synchronous request limit (6 MB), less headroom for the event envelope. */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** Headers added to records sent to the dead-letter topic. */
export const DeadLetterHeaders = {
  REASON: 'x-dlq-reason',
  ERROR_TYPE: 'x-dlq-error-type',
  ERROR_MESSAGE: 'x-dlq-error-message',
  FUNCTION: 'x-dlq-function',
  ATTEMPTS: 'x-dlq-attempts',
  TOPIC: 'x-dlq-original-topic',
  PARTITION: 'x-dlq-original-partition',
  OFFSET: 'x-dlq-original-offset',
  FAILED_AT: 'x-dlq-failed-at',
} as const;

/** Records per invocation when `batchSize` is not given. */
export const DEFAULT_BATCH_SIZE = 500;

/** Options of {@link LambdaInvoker}. */
export interface LambdaInvokerOptions extends KafkaConnectionOptions {
  /** Function name or ARN. */
  functionName: string;
  /** @default 'aviation-data' */
  topic?: string;
  /** Consumer group. @default 'opensky-stream-bridge' */
  groupId?: string;
  /**
   * Records per invocation, 1–10,000 (ESM `BatchSize`; AWS's default is 100). 500 carries the
   * real feed (10,000 aircraft every 3 s) on a 2-core local stack at a fifth of the per-invoke
   * overhead (`npm run bench -- e2e`). @default 500
   */
  batchSize?: number;
  /** How long the broker may wait to fill a batch (ESM `MaximumBatchingWindowInSeconds`), ms. @default 500 */
  batchingWindowMs?: number;
  /** Where a new group starts: `LATEST`, `TRIM_HORIZON`, or a time (ms since epoch) like ESM's `AT_TIMESTAMP`. @default 'LATEST' */
  startingPosition?: 'LATEST' | 'TRIM_HORIZON' | { timestamp: number };
  /** Partitions processed at once; each partition stays in order. @default 3 */
  partitionConcurrency?: number;
  /**
   * Retries of a batch the function failed before it is dead-lettered; `-1` retries forever
   * (blocks the partition). Invokes that were throttled, met a Lambda service error (5xx) or
   * could not reach the endpoint do not count: they are retried until they get through.
   * @default 3
   */
  maxRetryAttempts?: number;
  /** First backoff delay in ms (doubles, full jitter, capped at 30 s). @default 500 */
  retryBaseMs?: number;
  /** Split a failing batch in halves to isolate the bad record (ESM `BisectBatchOnFunctionError`). @default false */
  bisectBatchOnFunctionError?: boolean;
  /** Records older than this go to the dead-letter topic unprocessed; `-1` for no limit. @default -1 */
  maximumRecordAgeSeconds?: number;
  /** Dead-letter topic; `null` to retry forever instead. @default `<topic>-dlq` */
  deadLetterTopic?: string | null;
  /** Byte limit of one invocation's event. @default {@link MAX_INVOKE_PAYLOAD_BYTES} */
  maxPayloadBytes?: number;
  /**
   * First delay before the consumer is restarted after a crash (the broker went away, a
   * request kept failing), ms; it doubles per consecutive crash, with full jitter, up to 30 s.
   * The restarted consumer resumes from the group's committed offsets.
   * @default 1000
   */
  restartBaseMs?: number;
  /**
   * The consumer's session timeout, ms: how long the group coordinator waits for a silent
   * member before it gives its partitions to others. A consumer that crashed while the broker
   * was down could not leave the group, so its restarted successor joins once that session
   * expires: this bounds the pause after a broker restart. The broker allows 6000–1800000 by default.
   * @default 30000
   */
  sessionTimeoutMs?: number;
  lambda?: LambdaClient;
  logger?: Logger;
}

/** Counters of a {@link LambdaInvoker}. */
export interface LambdaInvokerStats {
  recordsIn: number;
  invocations: number;
  errors: number;
  retries: number;
  deadLettered: number;
  committed: number;
  partialFailures: number;
  lastInvokeMs: number;
  /** Times the Kafka consumer crashed, and times it was restarted since. */
  crashes: number;
  restarts: number;
}

/** Events of a {@link LambdaInvoker}. */
export interface LambdaInvokerEvents {
  invoke: [{ records: number; ms: number; partition: number }];
  invokeError: [{ error: Error; partition: number; attempt: number }];
  deadLetter: [{ records: number; reason: string; partition: number }];
  commit: [{ topic: string; partition: number; offset: string }];
  /** The consumer crashed; `restarting` is false when no restart can help (see {@link LambdaInvoker.done}). */
  crash: [{ error: Error; restarting: boolean; crashes: number }];
  /** A new consumer replaced the crashed one and joins the group from the committed offsets. */
  restart: [{ attempt: number; restarts: number }];
}

/**
 * `ran: false`: Lambda answered without running the function (throttled, a service error) or
 * could not be reached; such a failure does not count against `maxRetryAttempts`.
 */
type Outcome = { ok: true; failedFrom?: number } | { ok: false; error: LambdaInvokeError; ran: boolean };

/**
 * True when an Invoke error means the function did not run: throttling (429), a Lambda
 * service error (5xx), or no answer at all (the endpoint unreachable, the connection lost).
 * Client errors (a missing function, a payload too large, access denied) are not retried forever.
 */
function beforeInvocation(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status === 429 || status >= 500;
}

/** Split records into invocation batches by count and by event size. */
export function splitBatches<R extends ConsumedRecord>(
  records: readonly R[],
  batchSize: number,
  maxBytes: number,
): R[][] {
  const batches: R[][] = [];
  let current: R[] = [];
  let bytes = 200;
  for (const record of records) {
    const size = eventRecordSize(record);
    if (current.length > 0 && (current.length >= batchSize || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 200;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

function validate(options: LambdaInvokerOptions): void {
  if (!options.functionName) throw new ConfigError('/options/functionName', 'is required');
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new ConfigError('/options/batchSize', 'must be an integer from 1 to 10000');
  }
  const window = options.batchingWindowMs ?? 500;
  if (!(window >= 0 && window <= 300_000))
    throw new ConfigError('/options/batchingWindowMs', 'must be from 0 to 300000');
  const retries = options.maxRetryAttempts ?? 3;
  if (!Number.isInteger(retries) || retries < -1)
    throw new ConfigError('/options/maxRetryAttempts', 'must be -1 or an integer ≥ 0');
  const concurrency = options.partitionConcurrency ?? 3;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError('/options/partitionConcurrency', 'must be an integer ≥ 1');
  const restartBase = options.restartBaseMs ?? 1000;
  if (!Number.isInteger(restartBase) || restartBase < 1)
    throw new ConfigError('/options/restartBaseMs', 'must be an integer ≥ 1');
  const session = options.sessionTimeoutMs ?? 30_000;
  if (!Number.isInteger(session) || session < 1000)
    throw new ConfigError('/options/sessionTimeoutMs', 'must be an integer ≥ 1000');
}

/** A header's value as text (the first one, when repeated). */
function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** How long `stop()` waits for the consumer to leave the group before it lets go. */
const STOP_TIMEOUT_MS = 30_000;

/** True when a consumer crash is one no restart fixes (authorization, a deleted topic, a configuration error). */
function isFatalCrash(error: unknown): boolean {
  if (isOpenSkyStreamError(error)) return !error.retryable;
  return classifyKafkaError(error) === 'fatal';
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
  readonly stats: LambdaInvokerStats = {
    recordsIn: 0,
    invocations: 0,
    errors: 0,
    retries: 0,
    deadLettered: 0,
    committed: 0,
    partialFailures: 0,
    lastInvokeMs: 0,
    crashes: 0,
    restarts: 0,
  };
  readonly topic: string;
  readonly groupId: string;
  private readonly options: LambdaInvokerOptions;
  private readonly kafka: KafkaLike;
  private readonly lambda: LambdaClient;
  private readonly logger: Logger;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private restarting: Promise<void> | undefined;
  /** Set when the consumer crashed while a restart was starting it. */
  private crashedWhileRestarting = false;
  /** Consecutive crashes and failed restarts without a successful fetch in between. */
  private crashStreak = 0;
  /** The current consumer has joined the group and not crashed or stopped since. */
  private joined = false;
  private readonly abort = new AbortController();
  private readonly finished: Promise<void>;
  private settle!: (error?: Error) => void;

  constructor(options: LambdaInvokerOptions) {
    super();
    validate(options);
    this.options = options;
    this.topic = options.topic ?? 'aviation-data';
    this.groupId = options.groupId ?? 'opensky-stream-bridge';
    this.logger = options.logger ?? silentLogger;
    this.kafka = createKafkaClient(options, this.logger);
    this.lambda = options.lambda ?? new LambdaClient({});
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

  private get deadLetterTopic(): string | null {
    return this.options.deadLetterTopic === undefined ? `${this.topic}-dlq` : this.options.deadLetterTopic;
  }

  /**
   * True while the consumer is a member of the group and running: false before it joined,
   * after a crash until a restarted consumer joins, and after {@link stop}. For readiness checks.
   */
  get consuming(): boolean {
    return this.joined && !this.abort.signal.aborted;
  }

  /** Join the group and start invoking. Resolves once consuming has started. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  private async assertTopicExists(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        throw new KafkaError(`topic '${this.topic}' does not exist (\`opensky-stream produce\` creates it)`);
      }
      if (this.deadLetterTopic && !topics.includes(this.deadLetterTopic)) {
        await admin.createTopics({
          topics: [{ topic: this.deadLetterTopic, numPartitions: 1 }],
          waitForLeaders: true,
        });
        this.logger.info('created the dead-letter topic', { topic: this.deadLetterTopic });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async run(): Promise<void> {
    await loadTracing();
    await this.assertTopicExists();
    if (this.deadLetterTopic) {
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // murmur2, as in the Java client: a key lands on the same partition whatever client produced it.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    }
    await this.startConsumer();
  }

  /** A new consumer in the group, consuming from the committed offsets (or the starting position). */
  private async startConsumer(): Promise<void> {
    const window = this.options.batchingWindowMs ?? 500;
    const session = this.options.sessionTimeoutMs ?? 30_000;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      // The batching window: the broker holds a fetch until it has minBytes or the window passed.
      maxWaitTimeInMs: Math.max(10, window),
      minBytes: window > 0 ? 64 * 1024 : 1,
      maxBytesPerPartition: 8 * 1024 * 1024,
      sessionTimeout: session,
      heartbeatInterval: Math.min(3000, Math.floor(session / 3)),
      // Crashes are restarted here (a new consumer, with backoff, logged and counted), not
      // by kafkajs: it does not restart after errors it deems non-retriable, and then the
      // bridge would sit idle without a word.
      retry: { restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer === this.consumer) this.joined = true;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.crashed(consumer, payload.error));
    consumer.on(consumer.events.FETCH, () => {
      if (consumer === this.consumer) this.crashStreak = 0;
    });
    await consumer.connect();
    const position = this.options.startingPosition ?? 'LATEST';
    // AT_TIMESTAMP: a new group gets its starting offsets committed before it joins, so
    // its first fetch already starts there.
    if (typeof position === 'object') await this.startAtTimestamp(position.timestamp);
    if (this.abort.signal.aborted) return;
    await consumer.subscribe({ topic: this.topic, fromBeginning: position === 'TRIM_HORIZON' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionConcurrency ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** kafkajs's CRASH: the consumer has stopped and disconnected. Restart it, unless nothing can help. */
  private crashed(consumer: Consumer, error: Error): void {
    if (consumer !== this.consumer || this.abort.signal.aborted) return;
    this.joined = false;
    this.stats.crashes++;
    this.crashStreak++;
    const fatal = isFatalCrash(error);
    this.emit('crash', { error, restarting: !fatal, crashes: this.stats.crashes });
    if (fatal) {
      this.fail(error);
      return;
    }
    this.logger.warn('the Kafka consumer crashed; restarting it from the committed offsets', {
      groupId: this.groupId,
      error: error.message,
      crashes: this.stats.crashes,
    });
    if (this.restarting) this.crashedWhileRestarting = true;
    else void this.restart();
  }

  /** Start a new consumer after backoff, until one runs, the invoker stops, or a fatal error. */
  private restart(): Promise<void> {
    this.restarting ??= (async () => {
      try {
        for (let attempt = 1; ; attempt++) {
          const delay = backoffDelay(this.crashStreak, this.options.restartBaseMs ?? 1000, 30_000);
          if (!(await pause(delay, this.abort.signal))) return;
          await this.consumer?.disconnect().catch(() => undefined);
          this.crashedWhileRestarting = false;
          try {
            // The topic may have been deleted meanwhile: that is fatal, not a reason to retry.
            await this.assertTopicExists();
            await this.startConsumer();
          } catch (error) {
            if (this.abort.signal.aborted) return;
            if (isFatalCrash(error)) {
              this.fail(error as Error);
              return;
            }
            this.crashStreak++;
            this.logger.warn('could not restart the Kafka consumer; trying again', {
              groupId: this.groupId,
              attempt,
              error: (error as Error).message,
            });
            continue;
          }
          if (this.abort.signal.aborted) return;
          if (this.crashedWhileRestarting) continue; // it crashed while joining: go round again
          this.stats.restarts++;
          this.emit('restart', { attempt, restarts: this.stats.restarts });
          this.logger.info('restarted the Kafka consumer', {
            groupId: this.groupId,
            attempt,
            restarts: this.stats.restarts,
          });
          return;
        }
      } finally {
        this.restarting = undefined;
      }
    })();
    return this.restarting;
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

  private async startAtTimestamp(timestamp: number): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
      const fresh = committed[0]?.partitions.every((p) => Number(p.offset) < 0) ?? true;
      if (!fresh) return; // AT_TIMESTAMP applies to a new group only, as with ESM
      const partitions = await admin.fetchTopicOffsetsByTimestamp(this.topic, timestamp);
      await admin.setOffsets({ groupId: this.groupId, topic: this.topic, partitions });
    } finally {
      await admin.disconnect();
    }
  }

  private async handleBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    this.stats.recordsIn += batch.messages.length;
    const records: ConsumedRecord[] = batch.messages.map((m) => ({ ...m, topic, partition }));
    const maxAge = this.options.maximumRecordAgeSeconds ?? -1;
    const chunks = splitBatches(
      records,
      this.options.batchSize ?? DEFAULT_BATCH_SIZE,
      this.options.maxPayloadBytes ?? MAX_INVOKE_PAYLOAD_BYTES,
    );
    for (const chunk of chunks) {
      if (this.abort.signal.aborted || !isRunning() || isStale()) return;
      let pending = chunk;
      if (maxAge >= 0) {
        const cutoff = Date.now() - maxAge * 1000;
        const expired = pending.filter((r) => Number(r.timestamp) < cutoff);
        if (expired.length) {
          await this.deadLetter(
            expired,
            'expired',
            new LambdaInvokeError('record older than maximumRecordAgeSeconds', undefined),
            0,
          );
          pending = pending.filter((r) => Number(r.timestamp) >= cutoff);
        }
      }
      if (pending.length) await this.deliver(pending, heartbeat);
      const last = chunk[chunk.length - 1]!;
      resolveOffset(last.offset);
      await this.commit(topic, partition, last.offset);
      await heartbeat();
    }
  }

  /** Invoke until `records` succeeded or were dead-lettered. Never returns with records unaccounted for. */
  private async deliver(records: ConsumedRecord[], heartbeat: () => Promise<void>): Promise<void> {
    const maxRetries = this.options.maxRetryAttempts ?? 3;
    const { topic, partition } = records[0]!;
    let pending = records;
    let lastError: LambdaInvokeError | undefined;
    // Failed attempts that ran the function. As with AWS's event source mappings, an Invoke
    // that was throttled, met a service error or found the endpoint unreachable is retried
    // (with backoff) until it gets through, and never counts towards dead-lettering.
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        this.stats.retries++;
        await sleep(backoffDelay(attempt, this.options.retryBaseMs ?? 500, 30_000), this.abort.signal).catch(
          () => undefined,
        );
        await heartbeat();
      }
      // After stop() no new invocation starts; what is not delivered stays uncommitted.
      if (this.abort.signal.aborted)
        throw new LambdaInvokeError('stopped while retrying; offsets stay uncommitted', undefined);
      const outcome = await this.invoke(pending);
      if (outcome.ok && outcome.failedFrom === undefined) return;
      if (outcome.ok) {
        // Partial batch: what precedes the first failed record succeeded.
        this.stats.partialFailures++;
        const from = outcome.failedFrom!;
        pending = pending.filter((r) => Number(r.offset) >= from);
        lastError = new LambdaInvokeError(
          `function reported ${pending.length} failed records from offset ${from}`,
          'Partial',
        );
        if (pending.length === 0) return;
      } else {
        lastError = outcome.error;
        this.stats.errors++;
        this.emit('invokeError', { error: outcome.error, partition, attempt });
        this.logger.warn('invocation failed', {
          topic,
          partition,
          records: pending.length,
          attempt,
          error: outcome.error.message,
        });
        if (this.options.bisectBatchOnFunctionError && pending.length > 1 && outcome.error.functionError) {
          const half = Math.ceil(pending.length / 2);
          await this.deliver(pending.slice(0, half), heartbeat);
          await this.deliver(pending.slice(half), heartbeat);
          return;
        }
      }
      if (!outcome.ok && !outcome.ran) continue;
      failures++;
      const exhausted = maxRetries >= 0 && failures > maxRetries;
      if (exhausted && this.deadLetterTopic) {
        await this.deadLetter(pending, 'retries-exhausted', lastError, attempt + 1);
        return;
      }
    }
  }

  /** One Invoke, inside a span when a tracer is registered. */
  private async invoke(records: ConsumedRecord[]): Promise<Outcome> {
    const { topic, partition } = records[0]!;
    // The records' trace contexts reach the function untouched, in their headers, as AWS's
    // mapping passes them; the bridge's own span continues them.
    const span = tracingActive()
      ? startSpan(`invoke ${this.options.functionName}`, {
          kind: 'client',
          parents: records.map((r) => headerText(r.headers?.[TRACEPARENT])),
          attributes: {
            'faas.invoked_name': this.options.functionName,
            'messaging.destination.name': topic,
            'messaging.destination.partition.id': String(partition),
            'messaging.batch.message_count': records.length,
          },
        })
      : undefined;
    const outcome = await this.invokeOnce(records);
    span?.end(outcome.ok ? {} : { error: outcome.error });
    return outcome;
  }

  private async invokeOnce(records: ConsumedRecord[]): Promise<Outcome> {
    const brokers = this.options.brokers ?? ['127.0.0.1:9092'];
    const event = buildKafkaEvent(records, brokers);
    const started = performance.now();
    const { topic, partition } = records[0]!;
    try {
      this.stats.invocations++;
      const answer = await this.lambda.send(
        new InvokeCommand({
          FunctionName: this.options.functionName,
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
      const ms = performance.now() - started;
      this.stats.lastInvokeMs = ms;
      this.emit('invoke', { records: records.length, ms, partition });
      const text = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '';
      if (answer.FunctionError) {
        let message = text;
        try {
          const parsed = JSON.parse(text) as { errorType?: string; errorMessage?: string };
          message = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? text}`;
        } catch {
          // not JSON: keep the text
        }
        return {
          ok: false,
          error: new LambdaInvokeError(message, answer.FunctionError, { retryable: true }),
          ran: true,
        };
      }
      let response: unknown;
      try {
        response = text ? JSON.parse(text) : null;
      } catch {
        response = null;
      }
      const verdict = parseBatchResponse(response, records);
      if (verdict.kind === 'invalid') {
        // As with AWS's event source mapping: the whole batch failed, nothing is committed.
        return {
          ok: false,
          error: new LambdaInvokeError(`invalid partial-batch response: ${verdict.reason}`, undefined, {
            retryable: true,
          }),
          ran: true,
        };
      }
      const failedFrom = verdict.kind === 'partial' ? verdict.failedFrom[`${topic}-${partition}`] : undefined;
      return failedFrom === undefined ? { ok: true } : { ok: true, failedFrom };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      return {
        ok: false,
        error: new LambdaInvokeError(`${e.name ?? 'Error'}: ${e.message ?? String(error)}`, undefined, {
          cause: error,
          retryable: true,
        }),
        ran: !beforeInvocation(error),
      };
    }
  }

  private async deadLetter(
    records: ConsumedRecord[],
    reason: string,
    error: LambdaInvokeError | undefined,
    attempts: number,
  ): Promise<void> {
    const topic = this.deadLetterTopic;
    if (!topic || !this.producer) throw new LambdaInvokeError('no dead-letter topic configured', undefined);
    const failedAt = new Date().toISOString();
    await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({
        key: r.key,
        value: r.value,
        headers: {
          ...(r.headers ?? {}),
          [DeadLetterHeaders.REASON]: reason,
          [DeadLetterHeaders.ERROR_TYPE]: error?.functionError ?? error?.name ?? 'Error',
          [DeadLetterHeaders.ERROR_MESSAGE]: (error?.message ?? '').slice(0, 1000),
          [DeadLetterHeaders.FUNCTION]: this.options.functionName,
          [DeadLetterHeaders.ATTEMPTS]: String(attempts),
          [DeadLetterHeaders.TOPIC]: r.topic,
          [DeadLetterHeaders.PARTITION]: String(r.partition),
          [DeadLetterHeaders.OFFSET]: r.offset,
          [DeadLetterHeaders.FAILED_AT]: failedAt,
        },
      })),
    });
    this.stats.deadLettered += records.length;
    this.emit('deadLetter', { records: records.length, reason, partition: records[0]!.partition });
    this.logger.error('records sent to the dead-letter topic', {
      topic,
      records: records.length,
      reason,
      error: error?.message,
    });
  }

  private async commit(topic: string, partition: number, lastOffset: string): Promise<void> {
    const offset = String(Number(lastOffset) + 1);
    await this.consumer!.commitOffsets([{ topic, partition, offset }]);
    this.stats.committed++;
    this.emit('commit', { topic, partition, offset });
  }

  /** Consumer lag per partition: latest offset minus the group's committed offset. */
  async lag(): Promise<Record<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [latest, committed] = await Promise.all([
        admin.fetchTopicOffsets(this.topic),
        admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      return Object.fromEntries(
        latest.map((p) => {
          const high = Number(p.high);
          const at = done.get(p.partition) ?? -1;
          return [p.partition, at < 0 ? high - Number(p.low) : Math.max(0, high - at)];
        }),
      );
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Stop gracefully: no new invocation starts, the invocation in flight finishes and
   * is committed, the consumer leaves the group and disconnects (given up on after 30 s,
   * e.g. when the broker is gone). Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      await this.starting?.catch(() => undefined);
      await this.restarting?.catch(() => undefined);
      const consumer = this.consumer;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        (consumer?.disconnect() ?? Promise.resolve()).then(
          () => false,
          () => false,
        ),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (gaveUp)
        this.logger.warn('the Kafka consumer did not disconnect in time; letting it go', {
          groupId: this.groupId,
          timeoutMs: STOP_TIMEOUT_MS,
        });
      await this.producer?.disconnect().catch(() => undefined);
      this.joined = false;
      this.settle();
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
