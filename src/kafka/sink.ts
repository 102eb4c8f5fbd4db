/**
 * KafkaSink: snapshots of state vectors → one Kafka message per aircraft.
 * The messages are encoded in ./messages.ts and kept until acknowledged in
 * ./send-buffer.ts; this file sends them, retries and waits.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { StatesResponse } from '../domain/types.ts';
import { AbortError, KafkaError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { backoffDelay } from '../util/retry.ts';
import { type EnsureTopicOptions, ensureTopicWith } from './client.ts';
import { createKafkaClientSeam } from './clients/index.ts';
import type { KafkaClient, KafkaProducer } from './clients/types.ts';
import { classifyKafkaError } from './failures.ts';
import { chunkMessages, snapshotMessages } from './messages.ts';
import { type QueuedSend, SendBuffer } from './send-buffer.ts';
import {
  type KafkaSinkOptions,
  type ResolvedKafkaSinkOptions,
  resolveKafkaSinkOptions,
} from './sink-options.ts';

export type { KafkaSinkOptions } from './sink-options.ts';

/** Counters of a {@link KafkaSink}. */
export interface KafkaSinkStats {
  /** Messages, bytes (uncompressed key + value) and sends the broker acknowledged. */
  messages: number;
  bytes: number;
  batches: number;
  /** Sends that failed (each attempt). */
  errors: number;
  lastSendMs: number;
  /** Sends retried after a transient error (broker unreachable, leader not available, timeout…). */
  sendRetries: number;
  /** Snapshots accepted by `write` and not yet fully acknowledged, and their bytes. */
  bufferedSnapshots: number;
  bufferedBytes: number;
  /** Snapshots dropped, oldest first, because the buffer was full during an outage, and their messages. */
  droppedSnapshots: number;
  droppedMessages: number;
  /** Snapshots and messages still unacknowledged when `close()` gave up on them. */
  unsentSnapshots: number;
  unsentMessages: number;
}

/** Typed events of a {@link KafkaSink}, for metrics and tracing. */
export interface KafkaSinkEvents {
  /** A send the broker acknowledged: its messages, bytes and latency. */
  sent: [{ messages: number; bytes: number; ms: number }];
  /** Every message of a snapshot was acknowledged. */
  delivered: [{ time: number; messages: number; traceparent?: string }];
  /** A snapshot was dropped from the full buffer during an outage. */
  dropped: [{ time: number; messages: number; traceparent?: string }];
}

/** What {@link KafkaSink.close} could not deliver. */
export interface KafkaSinkCloseReport {
  unsentSnapshots: number;
  unsentMessages: number;
}

/**
 * Produces snapshots to Kafka, safely by default: idempotent producer,
 * `acks: -1` (all in-sync replicas), compression, one batched send per
 * snapshot (split only where the broker's batch limit requires), and a
 * bounded buffer that rides out broker outages.
 *
 * `write` hands a snapshot to the buffer and returns; sends go out in order,
 * `maxInFlight` at a time. A send that fails with a transient error (broker
 * unreachable, leader not available, request timed out, not enough
 * replicas…) is retried with exponential backoff and jitter, oldest first and
 * one at a time until the broker takes sends again. Meanwhile `write` keeps
 * accepting snapshots; when the buffer is full it drops the oldest whole
 * snapshot (counted, logged). Delivery is at least once: a send the broker
 * stored but did not get to acknowledge is sent again. Per-aircraft order
 * holds except that a send already in flight when an earlier one failed may
 * overtake it (`maxInFlight: 1` rules that out, for some throughput).
 * Errors no retry can fix (authentication, authorization, a missing topic, a
 * record the broker will never accept) fail the sink: the next `write`,
 * `flush` or `close` rejects with them.
 *
 * @example
 * ```ts
 * await using sink = new KafkaSink({ brokers: ['127.0.0.1:9092'] });
 * await sink.ensureTopic();
 * for await (const snapshot of source) await sink.write(snapshot);
 * ```
 */
export class KafkaSink extends EventEmitter<KafkaSinkEvents> {
  readonly stats: KafkaSinkStats = {
    messages: 0,
    bytes: 0,
    batches: 0,
    errors: 0,
    lastSendMs: 0,
    sendRetries: 0,
    bufferedSnapshots: 0,
    bufferedBytes: 0,
    droppedSnapshots: 0,
    droppedMessages: 0,
    unsentSnapshots: 0,
    unsentMessages: 0,
  };
  readonly topic: string;
  private readonly kafka: KafkaClient;
  private readonly options: ResolvedKafkaSinkOptions;
  private readonly logger: Logger;
  private producer: KafkaProducer | undefined;
  private connecting: Promise<KafkaProducer> | undefined;
  /** Snapshots not fully acknowledged and their sends; keeps stats.buffered* current. */
  private readonly buffer = new SendBuffer(this.stats);
  private inFlight = 0;
  /** Consecutive failed sends: above 0 the broker is out, or recovering. */
  private failures = 0;
  private outageSince = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A failure no retry fixes; the sink stays failed. */
  private failure: KafkaError | undefined;
  private failureReported = false;
  private waiters: Array<() => void> = [];
  /** No more writes. */
  private closed = false;
  /** No more sends: close() gave up on what is left. */
  private halted = false;
  private closing: Promise<KafkaSinkCloseReport> | undefined;

  /** Throws `ConfigError` naming the option when `options` are invalid. */
  constructor(options: KafkaSinkOptions = {}) {
    super();
    this.options = resolveKafkaSinkOptions(options);
    this.topic = this.options.topic;
    this.logger = options.logger ?? silentLogger;
    this.kafka = createKafkaClientSeam({ ...options, client: this.options.client, logger: this.logger });
  }

  /** True while the broker takes sends: no send failing since the last success, and the sink not failed or closed. */
  get healthy(): boolean {
    return this.failures === 0 && !this.failure && !this.halted;
  }

  /** Connect the producer (also done by the first send). Idempotent; rejects when the broker is unreachable. */
  async connect(): Promise<void> {
    await this.getProducer();
  }

  private getProducer(): Promise<KafkaProducer> {
    if (this.halted) return Promise.reject(new KafkaError('the sink is closed'));
    this.connecting ??= (async () => {
      // Idempotent, acks -1, murmur2 keys, no topic auto-creation: whichever library (see the seam).
      const producer = this.kafka.producer({ compression: this.options.compression });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw new KafkaError(`could not connect the producer: ${(error as Error).message}`, {
        cause: error,
        retryable: true,
      });
    });
    return this.connecting;
  }

  /** Create the topic if it is missing (idempotent). */
  ensureTopic(options: Omit<EnsureTopicOptions, 'topic'> = {}): Promise<'created' | 'exists'> {
    return ensureTopicWith(this.kafka, { topic: this.topic, ...options }, this.logger);
  }

  /**
   * Buffer one snapshot for sending (one batched send, or a few for a large
   * snapshot). Resolves once it is buffered: at once, or, when the buffer is
   * full while the broker takes sends, once there is room (during an outage
   * the oldest buffered snapshot is dropped instead). Await {@link flush} for
   * delivery. Rejects with {@link KafkaError} when the sink has failed (before
   * buffering anything), and with `AbortError` when `signal` aborts the wait.
   */
  async write(
    snapshot: Pick<StatesResponse, 'time' | 'states'> & { source?: string },
    options: { traceparent?: string; signal?: AbortSignal } = {},
  ): Promise<void> {
    this.throwIfFailed();
    if (this.closed) throw new KafkaError('the sink is closed');
    const messages = snapshotMessages(snapshot, {
      // A failover chain's snapshot names its own source; else the sink's.
      source: snapshot.source ?? this.options.source,
      traceparent: options.traceparent,
    });
    // A send becomes one record batch per partition, and the broker refuses a batch over
    // message.max.bytes (1 MiB by default); uncompressed, 10,000 aircraft are ~4 MB. So a
    // large snapshot goes out as a few sends of at most maxSendBytes each, in order.
    const chunks = chunkMessages(messages, this.options.maxSendBytes);
    if (chunks.length === 0) return;
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.bytes, 0);
    while (this.stats.bufferedBytes + bytes > this.options.maxBufferBytes && this.buffer.length > 0) {
      if (this.failures > 0) {
        // The broker is out: keep the newest data. Nothing droppable (all of it being sent): go over the bound.
        if (!this.dropOldest()) break;
      } else {
        await this.changed(options.signal);
        this.throwIfFailed();
        if (this.closed) throw new KafkaError('the sink is closed');
      }
    }
    this.buffer.add({ time: snapshot.time, traceparent: options.traceparent }, chunks);
    this.pump();
  }

  /**
   * Wait until every buffered snapshot is acknowledged. Rejects with the
   * sink's failure, or with a retryable {@link KafkaError} when `timeoutMs`
   * passes first (the snapshots stay buffered).
   */
  async flush(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const deadline =
      options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    for (;;) {
      this.throwIfFailed();
      if (this.buffer.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new KafkaError(
          `flush timed out with ${this.buffer.length} snapshots (${this.buffer.unsentMessages()} messages) not acknowledged`,
          { retryable: true },
        );
      }
      await this.changed(options.signal, Number.isFinite(left) ? left : undefined);
    }
  }

  /**
   * Stop accepting snapshots, try to send what is buffered for at most
   * `closeTimeoutMs`, then disconnect. Resolves with what could not be sent
   * (also logged and in `stats`); rejects only with a failure of the sink not
   * reported before. Idempotent.
   */
  close(): Promise<KafkaSinkCloseReport> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(): Promise<KafkaSinkCloseReport> {
    const reportedBefore = this.failureReported;
    this.closed = true;
    this.notify();
    let reason = '';
    try {
      await this.flush({ timeoutMs: this.options.closeTimeoutMs });
    } catch (error) {
      reason = (error as Error).message;
    }
    this.halted = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stats.unsentSnapshots = this.buffer.length;
    this.stats.unsentMessages = this.buffer.unsentMessages();
    if (this.buffer.length > 0) {
      this.logger.error('closed with snapshots not sent', {
        topic: this.topic,
        unsentSnapshots: this.stats.unsentSnapshots,
        unsentMessages: this.stats.unsentMessages,
        oldest: this.buffer.oldestTime,
        newest: this.buffer.newestTime,
        reason,
      });
    }
    await this.producer?.disconnect().catch(() => undefined);
    if (this.failure && !reportedBefore) {
      this.failureReported = true;
      throw this.failure;
    }
    return { unsentSnapshots: this.stats.unsentSnapshots, unsentMessages: this.stats.unsentMessages };
  }

  private throwIfFailed(): void {
    if (this.failure) {
      this.failureReported = true;
      throw this.failure;
    }
  }

  /** Resolves on the next change of the buffer (a send settled, a failure, close), or after `timeoutMs`. */
  private changed(signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(done);
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /**
   * Start the sends the window allows: `maxInFlight` while the broker answers; one at a
   * time while it recovers, or while halves of a batch it found too large go out, so
   * what was queued goes out in its order.
   */
  private pump(): void {
    if (this.failure || this.halted || this.retryTimer) return;
    const serial = this.failures > 0 || this.buffer.nextIsHalf;
    const window = serial ? 1 : this.options.maxInFlight;
    while (this.inFlight < window && this.buffer.hasQueued) {
      const chunk = this.buffer.take()!;
      this.inFlight++;
      void this.send(chunk);
    }
  }

  private async send(chunk: QueuedSend): Promise<void> {
    const started = performance.now();
    try {
      const producer = await this.getProducer();
      await producer.send(this.topic, chunk.messages);
      this.stats.messages += chunk.messages.length;
      this.stats.bytes += chunk.bytes;
      this.stats.batches++;
      this.stats.lastSendMs = performance.now() - started;
      const delivered = this.buffer.acknowledge(chunk);
      this.emit('sent', { messages: chunk.messages.length, bytes: chunk.bytes, ms: this.stats.lastSendMs });
      if (delivered) {
        this.emit('delivered', {
          time: delivered.time,
          messages: delivered.messages,
          ...(delivered.traceparent ? { traceparent: delivered.traceparent } : {}),
        });
      }
      if (this.failures > 0) {
        this.logger.info('the broker takes sends again', {
          topic: this.topic,
          outageMs: Date.now() - this.outageSince,
          failedSends: this.failures,
          bufferedSnapshots: this.stats.bufferedSnapshots,
          droppedSnapshots: this.stats.droppedSnapshots,
        });
        this.failures = 0;
      }
    } catch (error) {
      await this.sendFailed(chunk, error);
    } finally {
      this.buffer.settled(chunk);
      this.inFlight--;
      this.notify();
      this.pump();
    }
  }

  private async sendFailed(chunk: QueuedSend, error: unknown): Promise<void> {
    this.stats.errors++;
    const message = (error as Error).message;
    if (this.halted) {
      this.buffer.requeue(chunk);
      return;
    }
    let kind = classifyKafkaError(error);
    // With auto-creation off a missing topic is a configuration error, but a broker that has
    // just restarted can briefly not know a topic that exists: ask before giving up.
    let missing = false;
    if (kind === 'unknown-topic') {
      missing = (await this.topicExists()) === false;
      kind = missing ? 'fatal' : 'transient';
    }
    if (kind === 'too-large' && chunk.messages.length > 1) {
      // The broker's limit is below maxSendBytes: send the batch as two halves, in order.
      this.stats.sendRetries++;
      this.logger.warn('the broker refused the batch size; sending it in two halves', {
        topic: this.topic,
        messages: chunk.messages.length,
        error: message,
      });
      this.buffer.requeueInHalves(chunk);
      return;
    }
    this.buffer.requeue(chunk);
    if (kind === 'too-large' || kind === 'fatal') {
      const why = missing
        ? `topic '${this.topic}' does not exist (topic auto-creation is off; ensureTopic() or \`opensky-stream produce\` creates it)`
        : kind === 'too-large'
          ? `a record of ${chunk.bytes} bytes is larger than the broker accepts (message.max.bytes): ${message}`
          : message;
      this.failure ??= new KafkaError(`send to '${this.topic}' failed: ${why}`, {
        cause: error,
        retryable: false,
      });
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.logger.error('send failed; retrying cannot help', {
        topic: this.topic,
        error: this.failure.message,
        bufferedSnapshots: this.stats.bufferedSnapshots,
      });
      return;
    }
    if (kind === 'producer-state') this.resetProducer();
    this.failures++;
    this.stats.sendRetries++;
    if (this.failures === 1) this.outageSince = Date.now();
    const delay = backoffDelay(this.failures, this.options.retry.baseMs, this.options.retry.maxDelayMs);
    this.logger.warn('send failed; buffering and retrying', {
      topic: this.topic,
      attempt: this.failures,
      retryInMs: delay,
      bufferedSnapshots: this.stats.bufferedSnapshots,
      bufferedBytes: this.stats.bufferedBytes,
      error: message,
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delay);
  }

  /** Drop the oldest snapshot none of whose sends has started; false when there is none. */
  private dropOldest(): boolean {
    const victim = this.buffer.dropOldest();
    if (!victim) return false;
    this.stats.droppedSnapshots++;
    this.stats.droppedMessages += victim.messages;
    this.emit('dropped', {
      time: victim.time,
      messages: victim.messages,
      ...(victim.traceparent ? { traceparent: victim.traceparent } : {}),
    });
    this.logger.warn('buffer full while the broker is out: dropped the oldest snapshot', {
      topic: this.topic,
      snapshotTime: victim.time,
      messages: victim.messages,
      droppedSnapshots: this.stats.droppedSnapshots,
      bufferedSnapshots: this.stats.bufferedSnapshots,
      bufferedBytes: this.stats.bufferedBytes,
      maxBufferBytes: this.options.maxBufferBytes,
    });
    return true;
  }

  /** A new idempotent producer: the broker lost or fenced the old one's sequence state. */
  private resetProducer(): void {
    const old = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    void old?.disconnect().catch(() => undefined);
  }

  /** Whether the topic exists; `undefined` when the broker cannot say (unreachable). */
  private async topicExists(): Promise<boolean | undefined> {
    const admin = this.kafka.admin({ retries: 1 });
    try {
      await admin.connect();
      return (await admin.listTopics()).includes(this.topic);
    } catch {
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
