/**
 * The seam over @platformatic/kafka, with kafkajs's semantics: an idempotent
 * producer (`acks: -1`, gzip, Java-compatible murmur2 partitioning, no topic
 * auto-creation) and the admin calls the primitives make. The consumer is in
 * ./platformatic-consumer.ts.
 *
 * @module
 */
import type * as Platformatic from '@platformatic/kafka';
import type { ResolvedKafkaClientOptions } from './options.ts';
import { baseOptions, loadPlatformatic } from './platformatic-connection.ts';
import { PlatformaticConsumer } from './platformatic-consumer.ts';
import { nameToBytes, toBytes } from './records.ts';
import type {
  KafkaAdmin,
  KafkaAdminOptions,
  KafkaClient,
  KafkaProducer,
  KafkaProducerOptions,
  PartitionOffsets,
  ProduceRecord,
  ProducerSettings,
  TopicSpec,
} from './types.ts';

/** Transport-level answers @platformatic/kafka gives for a topic that exists already. */
function isAlreadyExists(error: unknown): boolean {
  const found = (error as { findBy?: (property: string, value: unknown) => unknown }).findBy?.(
    'apiId',
    'TOPIC_ALREADY_EXISTS',
  );
  return Boolean(found) || (error as { apiId?: unknown }).apiId === 'TOPIC_ALREADY_EXISTS';
}

/** Retries of a send by the library, as kafkajs's default (more than 1: the library replaces 0 and 1 by no bound). */
const SEND_RETRIES = 5;

/** Retries of the metadata asked before the first send to a topic (1 s apart, the library's delay). */
const METADATA_RETRIES = 2;

type BytesProducer = Platformatic.Producer<
  string | Buffer | null,
  string | Buffer | null,
  string | Buffer,
  string | Buffer | null
>;

class PlatformaticProducer implements KafkaProducer {
  readonly client = 'platformatic' as const;
  readonly settings: ProducerSettings;
  private producer: BytesProducer | undefined;
  private connecting: Promise<BytesProducer> | undefined;
  private closed = false;
  /** Topics the broker has answered metadata for (see {@link checkTopic}). */
  private readonly known = new Set<string>();

  private readonly options: ResolvedKafkaClientOptions;

  constructor(options: ResolvedKafkaClientOptions, producerOptions: KafkaProducerOptions) {
    this.options = options;
    this.settings = { idempotent: true, acks: -1, compression: producerOptions.compression ?? 'gzip' };
  }

  private get(): Promise<BytesProducer> {
    this.connecting ??= (async () => {
      const lib = await loadPlatformatic();
      const producer: BytesProducer = new lib.Producer({
        ...baseOptions(this.options),
        idempotent: true,
        acks: lib.ProduceAcks.ALL,
        // Left unset, an idempotent producer retries without end (MAX_SAFE_INTEGER): a send in
        // flight when the broker dies would never settle and its owner (the sink's buffer and
        // backoff) never learn of the outage. Bounded as kafkajs's are (5 retries).
        retries: SEND_RETRIES,
        ...(this.settings.compression === 'gzip' ? { compression: 'gzip' as const } : {}),
        // Java's (and kafkajs's DefaultPartitioner's) murmur2: same key, same partition.
        partitioner: lib.compatibilityPartitioner,
        autocreateTopics: false,
        serializers: { key: toBytes, value: toBytes, headerKey: nameToBytes, headerValue: toBytes },
      });
      try {
        // The producer id now, so connect() fails when the broker is unreachable, as kafkajs's does.
        await producer.initIdempotentProducer({});
      } catch (error) {
        await producer.close().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async connect(): Promise<void> {
    await this.get();
  }

  async send(topic: string, records: readonly ProduceRecord[]): Promise<void> {
    const producer = this.producer ?? (await this.get());
    if (!this.known.has(topic)) await this.checkTopic(producer, topic);
    await producer.send({
      messages: records.map((r) => ({
        topic,
        key: r.key,
        value: r.value,
        ...(r.headers ? { headers: r.headers as Record<string, string | Buffer | null> } : {}),
        ...(r.timestamp !== undefined ? { timestamp: BigInt(r.timestamp) } : {}),
      })),
    });
  }

  /**
   * An idempotent @platformatic/kafka producer retries without end (`retries` is
   * MAX_SAFE_INTEGER), so a send to a topic that does not exist would never settle. Its
   * metadata is asked first, with a few retries: a missing topic rejects as kafkajs's
   * send does, with UNKNOWN_TOPIC_OR_PARTITION (the sink then asks whether it exists).
   */
  private async checkTopic(producer: BytesProducer, topic: string): Promise<void> {
    try {
      await producer.metadata({ topics: [topic], retries: METADATA_RETRIES });
    } catch (error) {
      if (!/^Unknown topic/.test((error as Error).message ?? '')) throw error;
      throw Object.assign(
        new Error(`This server does not host this topic-partition: ${topic}`, { cause: error }),
        {
          type: 'UNKNOWN_TOPIC_OR_PARTITION',
        },
      );
    }
    this.known.add(topic);
  }

  producerId(): bigint | undefined {
    return this.producer?.producerId;
  }

  isIdempotent(): boolean {
    return this.producerId() !== undefined && this.producerId()! >= 0n;
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const producer = await this.connecting?.catch(() => undefined);
    await producer?.close(true);
  }
}

class PlatformaticAdmin implements KafkaAdmin {
  readonly client = 'platformatic' as const;
  private admin: Platformatic.Admin | undefined;

  private readonly options: ResolvedKafkaClientOptions;
  private readonly retries: number | undefined;

  constructor(options: ResolvedKafkaClientOptions, adminOptions: KafkaAdminOptions) {
    this.options = options;
    this.retries = adminOptions.retries;
  }

  private async get(): Promise<Platformatic.Admin> {
    if (this.admin) return this.admin;
    const lib = await loadPlatformatic();
    this.admin = new lib.Admin({
      ...baseOptions(this.options, '-admin'),
      ...(this.retries === undefined ? {} : { retries: this.retries }),
    });
    return this.admin;
  }

  async connect(): Promise<void> {
    await (await this.get()).metadata({ topics: [] });
  }

  async listTopics(): Promise<string[]> {
    return (await this.get()).listTopics();
  }

  async createTopic(spec: TopicSpec): Promise<boolean> {
    const admin = await this.get();
    try {
      await admin.createTopics({
        topics: [spec.topic],
        partitions: spec.partitions ?? 1,
        replicas: spec.replicationFactor ?? 1,
        configs: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
    await this.waitForLeaders(admin, spec.topic);
    return true;
  }

  /** As kafkajs's `waitForLeaders`: a send right after creation finds a leader for every partition. */
  private async waitForLeaders(admin: Platformatic.Admin, topic: string): Promise<void> {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    for (;;) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true }).catch(() => undefined);
      const partitions = metadata?.topics.get(topic)?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p && p.leader >= 0)) return;
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async partitionCount(topic: string): Promise<number> {
    const admin = await this.get();
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    return metadata.topics.get(topic)?.partitionsCount ?? 0;
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await (await this.get()).deleteTopics({ topics: [...topics] });
  }

  /** Offsets at `timestamp` (-2 log start, -1 log end, else a time) for every partition, in partition order. */
  private async listOffsets(topic: string, timestamp: bigint): Promise<bigint[]> {
    const admin = await this.get();
    const count = await this.partitionCount(topic);
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp }));
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions }] });
    const offsets: bigint[] = new Array(count).fill(-1n);
    for (const p of listed?.partitions ?? []) offsets[p.partitionIndex] = p.offset;
    return offsets;
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const [low, high] = await Promise.all([this.listOffsets(topic, -2n), this.listOffsets(topic, -1n)]);
    return high.map((end, partition) => ({ partition, low: String(low[partition]), high: String(end) }));
  }

  async topicOffsetsByTimestamp(topic: string, timestamp: number) {
    const [at, high] = await Promise.all([
      this.listOffsets(topic, BigInt(timestamp)),
      this.listOffsets(topic, -1n),
    ]);
    // As kafkajs: no record at or after the time → the log end.
    return at.map((offset, partition) => ({
      partition,
      offset: String(offset < 0n ? high[partition] : offset),
    }));
  }

  async groupOffsets(groupId: string, topic: string) {
    const admin = await this.get();
    const count = await this.partitionCount(topic);
    const partitionIndexes = Array.from({ length: count }, (_, i) => i);
    const [group] = await admin.listConsumerGroupOffsets({
      groups: [{ groupId, topics: [{ name: topic, partitionIndexes }] }],
    });
    const committed = new Map(
      (group?.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => [
        p.partitionIndex,
        p.committedOffset,
      ]),
    );
    return partitionIndexes.map((partition) => ({
      partition,
      offset: String(committed.get(partition) ?? -1n),
    }));
  }

  async setGroupOffsets(
    groupId: string,
    topic: string,
    partitions: ReadonlyArray<{ partition: number; offset: string }>,
  ): Promise<void> {
    await (await this.get()).alterConsumerGroupOffsets({
      groupId,
      topics: [
        {
          name: topic,
          partitionOffsets: partitions.map((p) => ({ partition: p.partition, offset: BigInt(p.offset) })),
        },
      ],
    });
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.close();
  }
}

/** The seam over @platformatic/kafka for the cluster `options` name. */
export function platformaticClient(options: ResolvedKafkaClientOptions): KafkaClient {
  return {
    name: 'platformatic',
    producer: (producerOptions = {}) => new PlatformaticProducer(options, producerOptions),
    consumer: (consumerOptions) => new PlatformaticConsumer(options, consumerOptions),
    admin: (adminOptions = {}) => new PlatformaticAdmin(options, adminOptions),
  };
}
