/**
 * Consumer lag, as Kafka's tools compute it: per partition, the log end offset
 * minus the group's committed offset; a partition the group never committed
 * counts whole (from the log start offset).
 *
 * @module
 */
import type { KafkaLike } from './client.ts';

type Admin = ReturnType<KafkaLike['admin']>;

/**
 * Lag by partition from a topic's log offsets (`ends`) and a group's committed offsets
 * (`'-1'`, or missing, where it never committed: the whole log counts).
 */
export function lagByPartition(
  ends: ReadonlyArray<{ partition: number; low: string; high: string }>,
  committed: ReadonlyArray<{ partition: number; offset: string }>,
): Record<number, number> {
  const done = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  return Object.fromEntries(
    ends.map((end) => {
      const at = done.get(end.partition) ?? -1;
      return [end.partition, Math.max(0, Number(end.high) - (at < 0 ? Number(end.low) : at))];
    }),
  );
}

/** Lag of `groupId` on `topic`, by partition, with a KafkaJS-shaped admin. */
export async function partitionLag(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Record<number, number>> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return lagByPartition(ends, committed[0]?.partitions ?? []);
}

/** Total lag of `groupId` on `topic` (see {@link partitionLag}). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  return Object.values(await partitionLag(admin, groupId, topic)).reduce((sum, n) => sum + n, 0);
}
