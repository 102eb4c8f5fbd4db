/**
 * The Kafka client seam: the few calls the producer (KafkaSink, the bridge's
 * dead-letter writer) and the poller (LambdaInvoker) make, with one meaning
 * whichever library sits behind them. Two implementations: kafkajs
 * (./kafkajs.ts, the default) and @platformatic/kafka (./platformatic.ts).
 *
 * Offsets are decimal strings, as kafkajs gives them and as the bridge and the
 * Lambda event carry them; consumed records have the shape the bridge already
 * holds ({@link ConsumedRecord}), so code above the seam does not change with
 * the library.
 *
 * @module
 */
import type { ConsumedRecord } from '../../handler/event.ts';

/** The libraries behind the seam. */
export const KafkaClientNames = ['kafkajs', 'platformatic'] as const;

/** `'kafkajs'` (kafkajs 2.2.4) or `'platformatic'` (@platformatic/kafka 2.x). */
export type KafkaClientName = (typeof KafkaClientNames)[number];

/** One record to produce. */
export interface ProduceRecord {
  /** The record key (UTF-8 when a string); `null` for none. */
  key: string | Buffer | null;
  value: string | Buffer | null;
  /**
   * Headers; a `null` value is a header without a value (legal in Kafka). kafkajs cannot
   * write one and sends an empty value instead; @platformatic/kafka sends it as is.
   */
  headers?: Readonly<Record<string, string | Buffer | null>>;
  /** CreateTime, ms since the epoch. @default the time of the send */
  timestamp?: number;
}

/** What a producer runs with; both implementations fix these (see {@link KafkaProducer}). */
export interface ProducerSettings {
  /** Idempotent producer: the broker drops a batch it already stored (a retried send). */
  idempotent: true;
  /** `-1`: every in-sync replica has the batch before the send resolves. */
  acks: -1;
  compression: 'gzip' | 'none';
}

/**
 * A producer: idempotent, `acks: -1`, gzip (or none), no topic auto-creation, and
 * keys partitioned with murmur2 as the Java client does, so a key lands on the
 * same partition whichever library produced it.
 */
export interface KafkaProducer {
  readonly client: KafkaClientName;
  readonly settings: ProducerSettings;
  /** Connect (and, for an idempotent producer, get a producer id). Idempotent; rejects when unreachable. */
  connect(): Promise<void>;
  /** Send `records` to `topic` as one request; resolves once the broker acknowledged all of them. */
  send(topic: string, records: readonly ProduceRecord[]): Promise<void>;
  /**
   * The producer id the broker gave this idempotent producer, once connected; `undefined`
   * where the library keeps it private (kafkajs).
   */
  producerId(): bigint | undefined;
  /** Whether the library runs the producer idempotently (kafkajs `isIdempotent()`; platformatic: it holds a producer id). */
  isIdempotent(): boolean;
  disconnect(): Promise<void>;
}

/** Options of {@link KafkaClient.producer}. */
export interface KafkaProducerOptions {
  /** @default 'gzip' */
  compression?: 'gzip' | 'none';
}

/** The calls a batch handler may make while it works. */
export interface BatchContext {
  /**
   * Tell the group coordinator this member is alive. kafkajs heartbeats only when asked
   * (between fetches, or here); @platformatic/kafka heartbeats in the background, so
   * there this resolves at once.
   */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or has crashed. */
  isRunning(): boolean;
  /** True once a rebalance took the batch's partition from this member: its commits no longer count. */
  isStale(): boolean;
}

/** The records of one partition, in offset order. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

/** Events of a {@link KafkaConsumer}. */
export interface KafkaConsumerEvents {
  /** The consumer joined its group (again, after a rebalance). */
  join: [];
  /** A fetch completed: the broker answers. */
  fetch: [];
  /**
   * The consumer stopped on an error (a batch handler threw, or the library gave up):
   * it consumes no more; make a new one to go on from the committed offsets.
   */
  crash: [error: Error];
}

/** Options of {@link KafkaClient.consumer}. */
export interface KafkaConsumerOptions {
  groupId: string;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** @default 3000 */
  heartbeatIntervalMs?: number;
  /** How long the broker may hold a fetch for `minBytes`. @default 5000 */
  maxWaitTimeMs?: number;
  /** @default 1 */
  minBytes?: number;
  /** @default 1048576 */
  maxBytesPerPartition?: number;
  /** Bound of one fetch response, all partitions together. @default 10485760 (kafkajs's) */
  maxBytes?: number;
}

/** Options of {@link KafkaConsumer.run}. */
export interface KafkaConsumerRunOptions {
  /** Partitions whose batches are handled at once; batches of one partition never overlap. @default 1 */
  partitionsConsumedConcurrently?: number;
  /**
   * Handle one batch. Offsets are committed only by {@link KafkaConsumer.commit}; a throw
   * crashes the consumer (the `crash` event) and nothing after the last commit counts.
   */
  eachBatch(batch: ConsumedBatch, context: BatchContext): Promise<void>;
}

/** A group consumer with explicit commits. */
export interface KafkaConsumer {
  readonly client: KafkaClientName;
  on<E extends keyof KafkaConsumerEvents>(
    event: E,
    listener: (...args: KafkaConsumerEvents[E]) => void,
  ): this;
  connect(): Promise<void>;
  /**
   * Consume `topic`. Partitions the group has a committed offset for resume there; the
   * others start at the log start (`fromBeginning`) or its end.
   */
  subscribe(topic: string, options?: { fromBeginning?: boolean }): Promise<void>;
  /** Join the group and start handing batches to `eachBatch`. Resolves once consuming has started. */
  run(options: KafkaConsumerRunOptions): Promise<void>;
  /** Commit the next offsets to read (last handled + 1), per partition. */
  commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>): Promise<void>;
  /** Leave the group and close. Idempotent. */
  disconnect(): Promise<void>;
}

/** A topic to create. */
export interface TopicSpec {
  topic: string;
  /** @default 1 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '86400000' }`. */
  configs?: Readonly<Record<string, string>>;
}

/** A partition's log start (`low`) and end (`high`) offsets. */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** The admin calls the sink and the poller make. */
export interface KafkaAdmin {
  readonly client: KafkaClientName;
  connect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Create `spec.topic` and wait for its partitions' leaders. Resolves `false` when it existed already. */
  createTopic(spec: TopicSpec): Promise<boolean>;
  /** Partitions of `topic` (0 when the broker does not know it). */
  partitionCount(topic: string): Promise<number>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Log start and end offsets of every partition of `topic`. */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the first offset whose timestamp is ≥ `timestamp` (the end offset when none is). */
  topicOffsetsByTimestamp(
    topic: string,
    timestamp: number,
  ): Promise<Array<{ partition: number; offset: string }>>;
  /** The group's committed offsets on `topic`, every partition; `'-1'` where it never committed. */
  groupOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>>;
  /** Commit offsets for a group with no running member (fails while one runs). */
  setGroupOffsets(
    groupId: string,
    topic: string,
    partitions: ReadonlyArray<{ partition: number; offset: string }>,
  ): Promise<void>;
  disconnect(): Promise<void>;
}

/** A Kafka client behind the seam: makes producers, consumers and admins on one cluster. */
export interface KafkaClient {
  readonly name: KafkaClientName;
  producer(options?: KafkaProducerOptions): KafkaProducer;
  consumer(options: KafkaConsumerOptions): KafkaConsumer;
  /** An admin client; `retries` bounds the library's own retries of each call (its default when left out). */
  admin(options?: KafkaAdminOptions): KafkaAdmin;
}

/** Options of {@link KafkaClient.admin}. */
export interface KafkaAdminOptions {
  /** Retries of a failed call by the library itself, e.g. 1 for a quick answer while a broker is out. */
  retries?: number;
}
