/**
 * `destroy --kafka-topics`: the Kafka side of a pipeline, its topics (with
 * their dead-letter `<topic>-dlq`) and the consumer groups that committed
 * offsets on them (the bridge's, an event source mapping's).
 *
 * @module
 */
import type { KafkaLike } from '../kafka/client.ts';

/** What {@link deleteKafkaTopics} removed. */
export interface KafkaTeardown {
  topics: string[];
  groups: string[];
}

/**
 * Delete `topics` and their `-dlq` topics where they exist, and every consumer
 * group with offsets committed on one of them. A group that still has members
 * cannot be deleted (the broker refuses): stop its consumers first.
 */
export async function deleteKafkaTopics(kafka: KafkaLike, topics: readonly string[]): Promise<KafkaTeardown> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [...new Set(topics.flatMap((topic) => [topic, `${topic}-dlq`]))];
    const gone = wanted.filter((topic) => existing.has(topic));
    if (gone.length === 0) return { topics: [], groups: [] };
    // Groups first: their offsets name the topics, which must still exist to be asked about.
    const groups: string[] = [];
    for (const { groupId } of (await admin.listGroups()).groups) {
      // Never without topics: fetchOffsets would then answer for every topic of the group.
      const offsets = await admin.fetchOffsets({ groupId, topics: gone });
      if (offsets.some(({ partitions }) => partitions.some(({ offset }) => Number(offset) >= 0)))
        groups.push(groupId);
    }
    if (groups.length > 0) await admin.deleteGroups(groups);
    await admin.deleteTopics({ topics: gone });
    return { topics: gone, groups };
  } finally {
    await admin.disconnect();
  }
}
