/**
 * KafkaSink: snapshots of state vectors → one Kafka message per aircraft.
 *
 * @module
 */
import { CompressionTypes, type Message, Partitioners, type Producer } from 'kafkajs';
import { ConfigError, KafkaError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { StatesResponse, StateVectorMessage } from '../transform/types.ts';
import {
  createKafkaClient,
  type EnsureTopicOptions,
  ensureTopic,
  type KafkaConnectionOptions,
  type KafkaLike,
} from './client.ts';

/** Message headers every KafkaSink message carries. */
export const SinkHeaders = {
  SOURCE: 'source',
  SNAPSHOT_TIME: 'snapshot-time',
  CONTENT_TYPE: 'content-type',
  TRACEPARENT: 'traceparent',
} as const;

/** Options of {@link KafkaSink}. */
export interface KafkaSinkOptions extends KafkaConnectionOptions {
  /** @default 'aviation-data' */
  topic?: string;
  /**
   * Compression codec. GZIP is the one codec kafkajs ships without extra
   * packages; state-vector JSON shrinks about 5× with it, which saves broker
   * disk and network for a little CPU (see `npm run bench -- kafka-sink`).
   * @default 'gzip'
   */
  compression?: 'gzip' | 'none';
  /** Sends in flight at once; `write` waits when this many are pending. @default 2 */
  maxInFlight?: number;
  /**
   * Upper bound of one send, in uncompressed key + value bytes; a bigger snapshot is sent
   * in several sends so no record batch exceeds the broker's `message.max.bytes`.
   * @default 786432 (768 KiB)
   */
  maxSendBytes?: number;
  /** Header `source`. @default 'opensky-stream' */
  source?: string;
  logger?: Logger;
}

/** Counters of a {@link KafkaSink}. */
export interface KafkaSinkStats {
  messages: number;
  bytes: number;
  batches: number;
  errors: number;
  lastSendMs: number;
}

/** Split messages into sends of at most `maxBytes` (key + value bytes), order kept. */
export function chunkMessages(
  messages: Message[],
  maxBytes: number,
): Array<{ messages: Message[]; bytes: number }> {
  const chunks: Array<{ messages: Message[]; bytes: number }> = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.value as string) + Buffer.byteLength(message.key as string) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push({ messages: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length) chunks.push({ messages: current, bytes });
  return chunks;
}

/** One message per state vector: key icao24 (per-aircraft order), value the JSON state vector + snapshot time. */
export function snapshotMessages(
  snapshot: Pick<StatesResponse, 'time' | 'states'>,
  options: { source?: string; traceparent?: string } = {},
): Message[] {
  const headers: Record<string, string> = {
    [SinkHeaders.SOURCE]: options.source ?? 'opensky-stream',
    [SinkHeaders.SNAPSHOT_TIME]: String(snapshot.time),
    [SinkHeaders.CONTENT_TYPE]: 'application/json',
  };
  if (options.traceparent) headers[SinkHeaders.TRACEPARENT] = options.traceparent;
  return snapshot.states.map((sv) => {
    const value: StateVectorMessage = { ...sv, snapshot_time: snapshot.time };
    return { key: sv.icao24, value: JSON.stringify(value), headers };
  });
}

/**
 * Produces snapshots to Kafka, safely by default: idempotent producer,
 * `acks: -1` (all in-sync replicas), compression, one batched send per
 * snapshot (split only where the broker's batch limit requires), and bounded
 * in-flight sends with backpressure.
 *
 * @example
 * ```ts
 * await using sink = new KafkaSink({ brokers: ['127.0.0.1:9092'] });
 * await sink.ensureTopic();
 * for await (const snapshot of source) await sink.write(snapshot);
 * ```
 */
export class KafkaSink {
  readonly stats: KafkaSinkStats = { messages: 0, bytes: 0, batches: 0, errors: 0, lastSendMs: 0 };
  readonly topic: string;
  private readonly kafka: KafkaLike;
  private readonly options: KafkaSinkOptions;
  private readonly logger: Logger;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: KafkaSinkOptions = {}) {
    this.options = options;
    this.topic = options.topic ?? 'aviation-data';
    if (!this.topic || /[^A-Za-z0-9._-]/.test(this.topic) || this.topic.length > 249) {
      throw new ConfigError('/options/topic', `is not a valid Kafka topic name: '${this.topic}'`);
    }
    const maxInFlight = options.maxInFlight ?? 2;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
      throw new ConfigError('/options/maxInFlight', 'must be an integer ≥ 1');
    if (options.compression && !['gzip', 'none'].includes(options.compression)) {
      throw new ConfigError('/options/compression', "must be 'gzip' or 'none'");
    }
    this.logger = options.logger ?? silentLogger;
    this.kafka = createKafkaClient(options, this.logger);
  }

  /** Connect the producer (also done by the first `write`). Idempotent. */
  async connect(): Promise<void> {
    await this.getProducer();
  }

  private getProducer(): Promise<Producer> {
    if (this.closed) return Promise.reject(new KafkaError('the sink is closed'));
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // murmur2, as in the Java client: a key lands on the same partition whatever client produced it.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
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
    return ensureTopic(this.kafka, { topic: this.topic, ...options }, this.logger);
  }

  /**
   * Produce one snapshot as one batched send. Resolves once the send is
   * accepted into the in-flight window (await {@link flush} for delivery);
   * rejects with {@link KafkaError} if a previous send failed.
   */
  async write(
    snapshot: Pick<StatesResponse, 'time' | 'states'>,
    options: { traceparent?: string } = {},
  ): Promise<void> {
    const producer = await this.getProducer();
    const messages = snapshotMessages(snapshot, {
      source: this.options.source,
      traceparent: options.traceparent,
    });
    // A send becomes one record batch per partition, and the broker refuses a batch over
    // message.max.bytes (1 MiB by default); uncompressed, 10,000 aircraft are ~4 MB. So a
    // large snapshot goes out as a few sends of at most maxSendBytes each, in order.
    for (const chunk of chunkMessages(messages, this.options.maxSendBytes ?? 768 * 1024)) {
      while (this.inFlight.size >= (this.options.maxInFlight ?? 2)) await Promise.race(this.inFlight);
      this.send(producer, chunk.messages, chunk.bytes);
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  private send(producer: Producer, messages: Message[], bytes: number): void {
    const started = performance.now();
    const send = producer
      .send({
        topic: this.topic,
        acks: -1,
        compression: this.options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP,
        messages,
      })
      .then(() => {
        this.stats.messages += messages.length;
        this.stats.bytes += bytes;
        this.stats.batches++;
        this.stats.lastSendMs = performance.now() - started;
      });
    const tracked: Promise<unknown> = send.catch((error: unknown) => {
      this.stats.errors++;
      this.logger.error('send failed', {
        topic: this.topic,
        messages: messages.length,
        error: (error as Error).message,
      });
      this.failure ??= new KafkaError(`send to '${this.topic}' failed: ${(error as Error).message}`, {
        cause: error,
        retryable: true,
      });
    });
    this.inFlight.add(tracked);
    tracked.finally(() => this.inFlight.delete(tracked));
  }

  private failure: KafkaError | undefined;

  /** Wait until every accepted send is acknowledged; rejects if one failed. */
  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  /** Flush, then disconnect. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.producer?.disconnect();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
