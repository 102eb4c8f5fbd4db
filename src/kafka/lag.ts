/**
 * Consumer lag, as Kafka's tools compute it: per partition, the log end offset
 * minus the group's committed offset; a partition the group never committed
 * counts whole (from the log start offset).
 *
 * @module
 */
import type { KafkaLike } from './client.ts';

type Admin = ReturnType<KafkaLike['admin']>;

/** Lag of `groupId` on `topic`, by partition. */
export async function partitionLag(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Record<number, number>> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return Object.fromEntries(
    ends.map((end) => {
      const at = done.get(end.partition) ?? -1;
      return [end.partition, Math.max(0, Number(end.high) - (at < 0 ? Number(end.low) : at))];
    }),
  );
}

/** Total lag of `groupId` on `topic` (see {@link partitionLag}). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  return Object.values(await partitionLag(admin, groupId, topic)).reduce((sum, n) => sum + n, 0);
}
