/**
 * A group consumer on @platformatic/kafka with kafkajs's `eachBatch`
 * semantics: batches per partition in offset order, at most one batch of a
 * partition in the handler at a time and at most
 * `partitionsConsumedConcurrently` partitions at once, explicit commits only,
 * and a handler's throw stopping the consumer (`crash`) so its owner restarts
 * from the committed offsets.
 *
 * @platformatic/kafka hands out single messages from a stream that fetches
 * ahead; the messages read so far are queued per partition and a partition's
 * queue becomes its next batch. Heartbeats run in the library's background, so
 * a long batch needs no `heartbeat()` calls (they resolve at once).
 *
 * One difference remains: a handler that returns without committing its whole
 * batch gets the rest again only from a new consumer (kafkajs fetches it again
 * at once). The bridge returns early only when it stops, so it never meets it.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type * as Platformatic from '@platformatic/kafka';
import type { ResolvedKafkaClientOptions } from './options.ts';
import { baseOptions, loadPlatformatic } from './platformatic-connection.ts';
import { toConsumedRecord } from './records.ts';
import type {
  BatchContext,
  KafkaConsumer,
  KafkaConsumerEvents,
  KafkaConsumerOptions,
  KafkaConsumerRunOptions,
} from './types.ts';

type BytesConsumer = Platformatic.Consumer<Buffer, Buffer, Buffer, Buffer>;
type BytesStream = Platformatic.MessagesStream<Buffer, Buffer, Buffer, Buffer>;
type BytesMessage = Platformatic.Message<Buffer, Buffer, Buffer, Buffer>;

/**
 * Messages read from the stream and not yet handed to the handler, at most. The stream
 * itself holds up to its `highWaterMark` more, then stops fetching: memory stays bounded
 * while the handler is slow, and a partition's batch can still be large when it is fast.
 */
const MAX_QUEUED = 4096;

interface PartitionQueue {
  topic: string;
  partition: number;
  messages: BytesMessage[];
}

/** @platformatic/kafka's group consumer behind the seam. */
export class PlatformaticConsumer extends EventEmitter<KafkaConsumerEvents> implements KafkaConsumer {
  readonly client = 'platformatic' as const;
  private consumer: BytesConsumer | undefined;
  private stream: BytesStream | undefined;
  private topic: string | undefined;
  private fromBeginning = false;
  private eachBatch: KafkaConsumerRunOptions['eachBatch'] | undefined;
  private concurrency = 1;
  private running = false;
  private closing: Promise<void> | undefined;
  /** Queued messages per `topic:partition`; a handled partition moves to the end (round robin). */
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly busy = new Set<string>();
  private queued = 0;
  /** The leader epoch of the last message read per partition, for commits (KIP-320). */
  private readonly epochs = new Map<string, number>();

  private readonly options: ResolvedKafkaClientOptions;
  private readonly consumerOptions: KafkaConsumerOptions;

  constructor(options: ResolvedKafkaClientOptions, consumerOptions: KafkaConsumerOptions) {
    super();
    this.options = options;
    this.consumerOptions = consumerOptions;
  }

  async connect(): Promise<void> {
    if (this.consumer) return;
    const lib = await loadPlatformatic();
    const o = this.consumerOptions;
    const consumer: BytesConsumer = new lib.Consumer({
      ...baseOptions(this.options),
      groupId: o.groupId,
      autocommit: false,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: o.heartbeatIntervalMs ?? 3000,
      // kafkajs's default: how long the group waits for members to rejoin in a rebalance.
      rebalanceTimeout: 60_000,
      maxWaitTime: o.maxWaitTimeMs ?? 5000,
      minBytes: o.minBytes ?? 1,
      maxBytesPerPartition: o.maxBytesPerPartition ?? 1024 * 1024,
      // kafkajs's bound on one fetch response (the library's own is 50 MB): a response is
      // decoded and queued whole, so this bounds the memory a fetch takes.
      maxBytes: o.maxBytes ?? 10 * 1024 * 1024,
    });
    consumer.on('consumer:group:join', () => this.emit('join'));
    try {
      // Reach the cluster now, so connect() fails when it is unreachable, as kafkajs's does.
      await consumer.metadata({ topics: [] });
    } catch (error) {
      await consumer.close(true).catch(() => undefined);
      throw error;
    }
    this.consumer = consumer;
  }

  async subscribe(topic: string, options: { fromBeginning?: boolean } = {}): Promise<void> {
    this.topic = topic;
    this.fromBeginning = options.fromBeginning ?? false;
  }

  async run(options: KafkaConsumerRunOptions): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.topic === undefined) throw new Error('connect() and subscribe() before run()');
    const lib = await loadPlatformatic();
    this.eachBatch = options.eachBatch;
    this.concurrency = options.partitionsConsumedConcurrently ?? 1;
    const stream: BytesStream = await consumer.consume({
      topics: [this.topic],
      // The group's committed offsets; a partition without one starts as kafkajs's fromBeginning says.
      mode: lib.MessagesStreamModes.COMMITTED,
      fallbackMode: this.fromBeginning
        ? lib.MessagesStreamFallbackModes.EARLIEST
        : lib.MessagesStreamFallbackModes.LATEST,
      autocommit: false,
    });
    this.stream = stream;
    this.running = true;
    stream.on('fetch', () => this.emit('fetch'));
    stream.on('error', (error: Error) => this.crash(error));
    stream.on('readable', () => this.pump());
    this.pump();
  }

  /** Read what the stream holds into the partitions' queues, then start the batches the limits allow. */
  private pump(): void {
    const stream = this.stream;
    if (!this.running || !stream) return;
    while (this.queued < MAX_QUEUED) {
      const message = stream.read() as BytesMessage | null;
      if (message === null) break;
      const key = `${message.topic}:${message.partition}`;
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { topic: message.topic, partition: message.partition, messages: [] };
        this.queues.set(key, queue);
      }
      queue.messages.push(message);
      this.epochs.set(key, message.leaderEpoch);
      this.queued++;
    }
    for (const [key, queue] of this.queues) {
      if (this.busy.size >= this.concurrency) break;
      if (this.busy.has(key) || queue.messages.length === 0) continue;
      void this.handle(key, queue);
    }
  }

  private async handle(key: string, queue: PartitionQueue): Promise<void> {
    const messages = queue.messages;
    queue.messages = [];
    this.queued -= messages.length;
    this.busy.add(key);
    const { topic, partition } = queue;
    const context: BatchContext = {
      heartbeat: () => Promise.resolve(),
      isRunning: () => this.running,
      isStale: () => !this.assigned(topic, partition),
    };
    try {
      await this.eachBatch!({ topic, partition, records: messages.map(toConsumedRecord) }, context);
    } catch (error) {
      this.crash(error as Error);
    } finally {
      this.busy.delete(key);
      // To the end of the round: the other partitions' queues go first.
      this.queues.delete(key);
      this.queues.set(key, queue);
      this.pump();
    }
  }

  private assigned(topic: string, partition: number): boolean {
    if (!this.running) return false;
    const assignments = this.consumer?.assignments ?? [];
    return assignments.some((a) => a.topic === topic && a.partitions.includes(partition));
  }

  /** Stop consuming and report why; the owner makes a new consumer. */
  private crash(error: Error): void {
    if (!this.running) return;
    this.running = false;
    this.emit('crash', error);
    void this.disconnect();
  }

  async commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new Error('the consumer is not connected');
    await consumer.commit({
      offsets: offsets.map(({ topic, partition, offset }) => ({
        topic,
        partition,
        offset: BigInt(offset),
        leaderEpoch: this.epochs.get(`${topic}:${partition}`) ?? -1,
      })),
    });
  }

  disconnect(): Promise<void> {
    this.closing ??= (async () => {
      this.running = false;
      this.queues.clear();
      this.queued = 0;
      await this.stream?.close().catch(() => undefined);
      // Leaves the group, so a successor gets the partitions without waiting for the session to expire.
      await this.consumer?.close(true).catch(() => undefined);
    })();
    return this.closing;
  }
}
