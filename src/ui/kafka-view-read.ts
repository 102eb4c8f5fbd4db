/**
 * The newest messages of a topic, for the live page's Kafka view, read the
 * way a look must be: without moving any group's offsets and without leaving
 * a group behind.
 *
 * How: a throwaway consumer group of its own (`opensky-stream-view-<random>`),
 * which never commits, seeks each partition to `high - limit` when it joins,
 * reads up to the high watermark it saw at the start, then leaves and is
 * deleted (DeleteGroups). kafkajs has no group-less assign() and its Fetch
 * lives in private modules; a throwaway group uses only the public API, so it
 * works with any KafkaJS-compatible client (src/kafka/client.ts's seam). The
 * cost is a group join per read: instant on the local stack
 * (`group.initial.rebalance.delay.ms=0`), up to the broker's delay (3 s by
 * default) elsewhere. The view hides these groups.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { KafkaLike } from '../kafka/client.ts';
import {
  type MessageView,
  messageView,
  newestMessages,
  type PartitionOffsets,
  readPlan,
} from './kafka-view-shape.ts';

type Admin = ReturnType<KafkaLike['admin']>;

/** Group ids of the view's own throwaway groups start with this. */
export const VIEW_GROUP_PREFIX = 'opensky-stream-view-';

/** What {@link readNewestMessages} found. */
export interface MessagesRead {
  topic: string;
  messages: MessageView[];
  /** False when the time ran out before every partition was read to its end. */
  complete: boolean;
}

export interface ReadOptions {
  limit: number;
  maxValueBytes: number;
  /** Stop reading (and return what was read, `complete: false`) after this long. */
  timeoutMs: number;
}

/**
 * The newest `limit` messages of `topic` over all its partitions, newest first. `offsets` are
 * the topic's partition offsets (`fetchTopicOffsets`); `admin` (connected) deletes the group.
 */
export async function readNewestMessages(
  kafka: KafkaLike,
  admin: Admin,
  topic: string,
  offsets: PartitionOffsets[],
  options: ReadOptions,
): Promise<MessagesRead> {
  const plan = readPlan(offsets, options.limit);
  if (plan.length === 0) return { topic, messages: [], complete: true };
  const from = new Map(plan.map((p) => [p.partition, p]));
  const pending = new Set(plan.map((p) => p.partition));
  const read: MessageView[] = [];
  const groupId = `${VIEW_GROUP_PREFIX}${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    // A topic deleted meanwhile must not be created again by a look at it.
    allowAutoTopicCreation: false,
    // Short polls: the read ends as soon as each partition is read to its end.
    maxWaitTimeInMs: 250,
    // A crash ends the read (the page shows the error) rather than restarting the consumer.
    retry: { retries: 0, restartOnFailure: async () => false },
  });
  let settle: (complete: boolean) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const finished = new Promise<boolean>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Awaited below once the consumer runs; a crash before that must not be an unhandled rejection.
  finished.catch(() => {});
  const done = (partition: number, lastOffset: number) => {
    const range = from.get(partition);
    if (range && lastOffset >= range.to - 1) pending.delete(partition);
    if (pending.size === 0) settle(true);
  };
  const timer = setTimeout(() => settle(false), options.timeoutMs);
  const listeners = [
    // Seek when the group is joined, before the first fetch: nothing older is read.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const { partition, from: offset } of plan)
        consumer.seek({ topic, partition, offset: String(offset) });
    }),
    // Batches of only control records (transaction markers) or compacted-away offsets reach
    // no eachBatch, yet move the position on: progress is taken from here.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      done(payload.partition, Number(payload.lastOffset)),
    ),
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error)),
  ];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = from.get(batch.partition);
        if (!range) return;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          // Records that arrived after the read began wait for the next refresh.
          if (offset >= range.from && offset < range.to)
            read.push(messageView(topic, batch.partition, message, options.maxValueBytes));
        }
      },
    });
    const complete = await finished;
    return { topic, messages: newestMessages(read, options.limit), complete };
  } finally {
    clearTimeout(timer);
    for (const remove of listeners) remove();
    await consumer.disconnect().catch(() => {});
    // Empty once its only member left; a failure here leaves an empty group with no offsets,
    // which the broker removes by itself.
    await admin.deleteGroups([groupId]).catch(() => {});
  }
}
