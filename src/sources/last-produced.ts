/**
 * The time of the last snapshot a topic holds: read back from the newest
 * record of each partition (its `snapshot-time` header) when a standby
 * producer takes over, so it produces nothing the last poller already did.
 *
 * @module
 */
import type { KafkaLike } from '../kafka/client.ts';
import { SinkHeaders } from '../kafka/messages.ts';
import type { Logger } from '../logger.ts';
import { readNewestMessages } from '../ui/kafka-view-read.ts';

/**
 * The newest `snapshot-time` among the last record of every partition of `topic`;
 * `undefined` when the topic is missing or empty, or could not be read in `timeoutMs`
 * (then nothing is skipped: a repeat is better than a gap).
 */
export async function lastSnapshotTime(
  kafka: KafkaLike,
  topic: string,
  timeoutMs: number,
  logger: Logger,
): Promise<number | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    // The last record of each partition is read, and the newest of them kept: the last
    // record of the last snapshot. Values are not needed, only the headers (cut at 256 bytes).
    const read = await readNewestMessages(kafka, admin, topic, offsets, {
      limit: 1,
      maxValueBytes: 256,
      timeoutMs,
    });
    const times = read.messages.flatMap((m) =>
      m.headers.filter((h) => h.key === SinkHeaders.SNAPSHOT_TIME).map((h) => Number(h.value)),
    );
    const valid = times.filter(Number.isFinite);
    return valid.length ? Math.max(...valid) : undefined;
  } catch (error) {
    logger.warn(
      'could not read back the last snapshot produced; the first one after the takeover may repeat it',
      {
        topic,
        error: (error as Error).message,
      },
    );
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
