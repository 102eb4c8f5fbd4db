/**
 * The seam over kafkajs: the calls the primitives make today, unchanged
 * (idempotent producer with one request in flight, `acks: -1`, gzip,
 * murmur2 partitioning; `eachBatch` with explicit commits; a crashed consumer
 * is not restarted by kafkajs but reported, for its owner to restart).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Consumer, IHeaders, Message, Producer } from 'kafkajs';
import type { ConsumedRecord } from '../../handler/event.ts';
import type { KafkaLike } from '../kafka-like.ts';
import { CompressionTypes, Partitioners } from '../kafkajs.ts';
import type {
  KafkaAdmin,
  KafkaAdminOptions,
  KafkaClient,
  KafkaConsumer,
  KafkaConsumerEvents,
  KafkaConsumerOptions,
  KafkaConsumerRunOptions,
  KafkaProducer,
  KafkaProducerOptions,
  PartitionOffsets,
  ProduceRecord,
  ProducerSettings,
  TopicSpec,
} from './types.ts';

const EMPTY = Buffer.alloc(0);

/**
 * Headers kafkajs can write. It cannot write a header without a value (length -1: its
 * encoder takes the byte length of every value and throws on `null`), so such a header
 * goes out with an empty value, the nearest it has; @platformatic/kafka writes it as is.
 */
function writableHeaders(headers: ProduceRecord['headers']): IHeaders | undefined {
  if (!headers) return undefined;
  let out: IHeaders | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== null) continue;
    out ??= { ...(headers as IHeaders) };
    out[name] = EMPTY;
  }
  return out ?? (headers as IHeaders);
}

/** kafkajs's `Message`, from a {@link ProduceRecord}. */
function toMessage(record: ProduceRecord): Message {
  const message: Message = { key: record.key, value: record.value, headers: writableHeaders(record.headers) };
  if (record.timestamp !== undefined) message.timestamp = String(record.timestamp);
  return message;
}

class KafkajsProducer implements KafkaProducer {
  readonly client = 'kafkajs' as const;
  readonly settings: ProducerSettings;
  private readonly producer: Producer;

  constructor(kafka: KafkaLike, options: KafkaProducerOptions) {
    this.settings = { idempotent: true, acks: -1, compression: options.compression ?? 'gzip' };
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2, as in the Java client: a key lands on the same partition whatever client produced it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(topic: string, records: readonly ProduceRecord[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      compression: this.settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: records.map(toMessage),
    });
  }

  producerId(): bigint | undefined {
    return undefined; // kafkajs keeps it in its private EOS manager
  }

  isIdempotent(): boolean {
    return this.producer.isIdempotent();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkajsConsumer extends EventEmitter<KafkaConsumerEvents> implements KafkaConsumer {
  readonly client = 'kafkajs' as const;
  private readonly consumer: Consumer;
  /** resolveOffset of the batch being handled, per `topic:partition`: a commit resolves too. */
  private readonly resolvers = new Map<string, (offset: string) => void>();

  constructor(kafka: KafkaLike, options: KafkaConsumerOptions) {
    super();
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 5000,
      minBytes: options.minBytes ?? 1,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3000,
      // A crash is reported (`crash`) for the owner to restart: kafkajs does not restart after
      // errors it deems non-retriable, and then the owner would sit idle without a word.
      retry: { restartOnFailure: async () => false },
    });
    const { GROUP_JOIN, FETCH, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => this.emit('join'));
    this.consumer.on(FETCH, () => this.emit('fetch'));
    this.consumer.on(CRASH, ({ payload }) => this.emit('crash', payload.error));
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  subscribe(topic: string, options: { fromBeginning?: boolean } = {}): Promise<void> {
    return this.consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? false });
  }

  run(options: KafkaConsumerRunOptions): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const { topic, partition } = batch;
        const key = `${topic}:${partition}`;
        const records: ConsumedRecord[] = batch.messages.map((m) => ({ ...m, topic, partition }));
        this.resolvers.set(key, resolveOffset);
        try {
          await options.eachBatch({ topic, partition, records }, { heartbeat, isRunning, isStale });
        } finally {
          this.resolvers.delete(key);
        }
      },
    });
  }

  async commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>): Promise<void> {
    // What is committed is resolved too: kafkajs fetches what was not resolved again after the batch.
    for (const { topic, partition, offset } of offsets)
      this.resolvers.get(`${topic}:${partition}`)?.(String(BigInt(offset) - 1n));
    await this.consumer.commitOffsets(offsets.map((o) => ({ ...o })));
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}

class KafkajsAdmin implements KafkaAdmin {
  readonly client = 'kafkajs' as const;
  private readonly admin: ReturnType<KafkaLike['admin']>;

  constructor(kafka: KafkaLike, options: KafkaAdminOptions) {
    this.admin = kafka.admin(options.retries === undefined ? {} : { retry: { retries: options.retries } });
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopic(spec: TopicSpec): Promise<boolean> {
    try {
      return await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.topic,
            numPartitions: spec.partitions ?? 1,
            replicationFactor: spec.replicationFactor ?? 1,
            configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    } catch (error) {
      // kafkajs's wait for the leaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a busy
      // broker answers while the new topic's metadata spreads: the topic was created all the same.
      if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      await this.waitForLeaders(spec.topic);
      return true;
    }
  }

  private async waitForLeaders(topic: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      const partitions = metadata?.topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      if (Date.now() > deadline)
        throw new Error(`topic '${topic}' has no leader for every partition after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async partitionCount(topic: string): Promise<number> {
    if (!(await this.admin.listTopics()).includes(topic)) return 0;
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]?.partitions.length ?? 0;
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.admin.deleteTopics({ topics: [...topics] });
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => ({ partition, low, high })).sort(byPartition);
  }

  async topicOffsetsByTimestamp(topic: string, timestamp: number) {
    return (await this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp)).sort(byPartition);
  }

  async groupOffsets(groupId: string, topic: string) {
    const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (committed?.partitions ?? [])
      .map(({ partition, offset }) => ({ partition, offset }))
      .sort(byPartition);
  }

  setGroupOffsets(
    groupId: string,
    topic: string,
    partitions: ReadonlyArray<{ partition: number; offset: string }>,
  ): Promise<void> {
    return this.admin.setOffsets({ groupId, topic, partitions: partitions.map((p) => ({ ...p })) });
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }
}

function byPartition(a: { partition: number }, b: { partition: number }): number {
  return a.partition - b.partition;
}

/** The seam over a kafkajs `Kafka` (or any KafkaJS-shaped client). */
export function kafkajsClient(kafka: KafkaLike): KafkaClient {
  return {
    name: 'kafkajs',
    producer: (options = {}) => new KafkajsProducer(kafka, options),
    consumer: (options) => new KafkajsConsumer(kafka, options),
    admin: (options = {}) => new KafkajsAdmin(kafka, options),
  };
}
