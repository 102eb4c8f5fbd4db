/**
 * The consumer group's offsets: its lag, and its starting position, resolved
 * once and committed: a partition the group has no committed offset for gets
 * its LATEST / AT_TIMESTAMP offset committed before the first batch. Otherwise
 * a consumer that crashed before its first commit would resolve LATEST again
 * on restart and skip the records that arrived in between. TRIM_HORIZON needs
 * no commit: such a partition starts at the earliest record, today or after any
 * restart, which is what committing it would pin.
 *
 * @module
 */
import type { KafkaClient } from '../kafka/clients/types.ts';
import { classifyKafkaError } from '../kafka/failures.ts';
import { lagByPartition } from '../kafka/lag.ts';
import type { Logger } from '../logger.ts';
import { backoffDelay, pause } from '../util/retry.ts';
import type { StartingPosition } from './options.ts';

/** Attempts at reading the group's offsets while the coordinator is not ready (loading, moving). */
const ATTEMPTS = 8;

/**
 * Commit the starting position for the partitions of `topic` that `groupId` has no
 * committed offset for; returns those (empty when all had offsets already). Retries
 * transient broker errors (a coordinator still loading after a broker start).
 */
export async function commitStartingPosition(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
  position: StartingPosition,
  logger: Logger,
  signal?: AbortSignal,
): Promise<Array<{ partition: number; offset: string }>> {
  // Nothing to pin (see the module), and committing costs kafkajs's setOffsets a group join
  // and a fetch wait (~5 s) on every start of the default position.
  if (position === 'TRIM_HORIZON') return [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await commitOnce(kafka, groupId, topic, position, logger);
    } catch (error) {
      if (attempt >= ATTEMPTS || classifyKafkaError(error) === 'fatal') throw error;
      logger.debug('could not read the group offsets yet; retrying', {
        groupId,
        error: (error as Error).message,
      });
      if (!(await pause(backoffDelay(attempt, 250, 3000), signal))) throw error;
    }
  }
}

async function commitOnce(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
  position: StartingPosition,
  logger: Logger,
): Promise<Array<{ partition: number; offset: string }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.groupOffsets(groupId, topic);
    const missing = new Set(committed.filter((p) => Number(p.offset) < 0).map((p) => p.partition));
    if (missing.size === 0) return [];
    const offsets =
      typeof position === 'object'
        ? await admin.topicOffsetsByTimestamp(topic, position.timestamp)
        : (await admin.topicOffsets(topic)).map((p) => ({
            partition: p.partition,
            offset: p.high, // LATEST (TRIM_HORIZON returned before)
          }));
    const partitions = offsets
      .filter((p) => missing.has(p.partition))
      .map((p) => ({ partition: p.partition, offset: p.offset }));
    if (partitions.length === 0) return [];
    try {
      await admin.setGroupOffsets(groupId, topic, partitions);
    } catch (error) {
      // Another member of the group is running (a second bridge, or this one's crashed
      // predecessor whose session has not expired): it owns the positions. The consumer
      // falls back to resolving the starting position itself.
      logger.warn('could not commit the starting position; the group has running members', {
        groupId,
        topic,
        error: (error as Error).message,
      });
      return [];
    }
    logger.info('committed the starting position for the group', { groupId, topic, partitions });
    return partitions;
  } finally {
    await admin.disconnect();
  }
}

/** Consumer lag per partition (see {@link lagByPartition}), with an admin client of its own. */
export async function groupLag(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
): Promise<Record<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([
      admin.topicOffsets(topic),
      admin.groupOffsets(groupId, topic),
    ]);
    return lagByPartition(ends, committed);
  } finally {
    await admin.disconnect();
  }
}
