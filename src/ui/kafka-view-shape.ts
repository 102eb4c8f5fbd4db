/**
 * The Kafka view's data as the page shows it, shaped from what the admin
 * client and a consumer return. Pure functions: no I/O, so they are unit
 * tested on their own (test/unit/kafka-view-shape.test.ts).
 *
 * @module
 */
import { AssignerProtocol } from '../kafka/kafkajs.ts';

/** One partition of a topic: where its log starts and ends. */
export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  /** Log start offset. */
  low: number;
  /** Log end offset (the high watermark): the offset the next record gets. */
  high: number;
  /** `high - low`: records in the partition (fewer on a compacted topic). */
  records: number;
}

/** A topic and its partitions, by partition number. */
export interface TopicView {
  name: string;
  partitions: PartitionView[];
  /** Sum of the partitions' `records`. */
  records: number;
}

/** One partition a consumer group consumes. */
export interface GroupPartitionView {
  partition: number;
  /** The group's committed offset; null when it never committed on this partition. */
  committed: number | null;
  /** The partition's log end offset. */
  end: number;
  /** Records the group has not committed yet (src/kafka/lag.ts `partitionLag`). */
  lag: number;
}

/** A consumer group: its state, members and lag on each topic it consumes. */
export interface GroupView {
  groupId: string;
  /** `Stable`, `Empty`, `PreparingRebalance`, … as the broker reports it. */
  state: string;
  protocolType: string;
  /** The partition assignor, e.g. `RoundRobinAssigner`; empty when the group has no members. */
  protocol: string;
  members: Array<{
    memberId: string;
    clientId: string;
    clientHost: string;
    assignment: Record<string, number[]>;
  }>;
  topics: Array<{ topic: string; lag: number; partitions: GroupPartitionView[] }>;
  /** Sum of the lag over all topics. */
  lag: number;
}

/** One header of a message, as text. */
export interface HeaderView {
  key: string;
  value: string;
}

/** One message, ready to show. */
export interface MessageView {
  topic: string;
  partition: number;
  offset: number;
  /** Record timestamp, ISO 8601. */
  timestamp: string;
  key: string | null;
  headers: HeaderView[];
  /** The value: pretty-printed JSON, text, or `0x…` hex for binary; null for a tombstone. */
  value: string | null;
  /** How `value` was read. */
  format: 'json' | 'text' | 'binary' | 'null';
  /** Size of the value in bytes, before any cut. */
  size: number;
  /** Whether the key, a header or the value was cut at the size limit. */
  truncated: boolean;
}

/** Kafka's own topics (`__consumer_offsets`, `__transaction_state`, `__share_group_state`): hidden from the view. */
export const isInternalTopic = (name: string): boolean => name.startsWith('__');

/** What the admin client says of a topic's partitions (`fetchTopicMetadata`). */
export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/** What the admin client says of a partition's offsets (`fetchTopicOffsets`). */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** A topic's partitions, by partition number, with their offsets (0 where the offsets are missing). */
export function topicView(
  name: string,
  metadata: PartitionMetadata[],
  offsets: PartitionOffsets[],
): TopicView {
  const byPartition = new Map(offsets.map((o) => [o.partition, o]));
  const partitions = metadata
    .map((p): PartitionView => {
      const o = byPartition.get(p.partitionId);
      const low = Number(o?.low ?? 0);
      const high = Number(o?.high ?? 0);
      return {
        partition: p.partitionId,
        leader: p.leader,
        replicas: [...p.replicas],
        isr: [...p.isr],
        low,
        high,
        records: Math.max(0, high - low),
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { name, partitions, records: partitions.reduce((sum, p) => sum + p.records, 0) };
}

/** The topics a group consumes: those it committed offsets on, and those assigned to its members. */
export function groupTopics(
  committed: Array<{ topic: string; partitions: Array<{ offset: string }> }>,
  members: GroupView['members'],
): string[] {
  const topics = new Set<string>();
  for (const { topic, partitions } of committed)
    if (partitions.some((p) => Number(p.offset) >= 0)) topics.add(topic);
  for (const member of members) for (const topic of Object.keys(member.assignment)) topics.add(topic);
  return [...topics].filter((topic) => !isInternalTopic(topic)).sort();
}

/**
 * A member's assignment (`memberAssignment` of DescribeGroups) as topic → partitions. Groups
 * that are not consumer groups (Kafka Connect, a schema registry) carry assignments of another
 * format: those read as none.
 */
export function memberAssignment(protocolType: string, raw: Buffer | undefined): Record<string, number[]> {
  if (protocolType !== 'consumer' || !raw || raw.length === 0) return {};
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(raw);
    const assignment: Record<string, number[]> = {};
    for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {}))
      assignment[topic] = [...partitions].sort((a, b) => a - b);
    return assignment;
  } catch {
    return {};
  }
}

/** One topic of a group: its partitions with committed offset, end and lag (from `partitionLag`). */
export function groupTopicView(
  topic: string,
  committed: Array<{ partition: number; offset: string }>,
  ends: Array<{ partition: number; high: string }>,
  lag: Record<number, number>,
): GroupView['topics'][number] {
  const at = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  const partitions = ends
    .map(({ partition, high }) => {
      const offset = at.get(partition);
      return {
        partition,
        committed: offset === undefined || offset < 0 ? null : offset,
        end: Number(high),
        lag: lag[partition] ?? 0,
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { topic, partitions, lag: partitions.reduce((sum, p) => sum + p.lag, 0) };
}

/** Where to read each partition from so that its newest `limit` records are read (and no more). */
export function readPlan(
  offsets: PartitionOffsets[],
  limit: number,
): Array<{ partition: number; from: number; to: number }> {
  return offsets
    .map((o) => {
      const low = Number(o.low);
      const high = Number(o.high);
      return { partition: o.partition, from: Math.max(low, high - limit), to: high };
    })
    .filter((p) => p.to > p.from)
    .sort((a, b) => a.partition - b.partition);
}

/** The newest `limit` messages, newest first: by timestamp, then by offset within a partition. */
export function newestMessages(messages: MessageView[], limit: number): MessageView[] {
  return [...messages]
    .sort(
      (a, b) =>
        Date.parse(b.timestamp) - Date.parse(a.timestamp) || b.offset - a.offset || a.partition - b.partition,
    )
    .slice(0, limit);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Text is shown as text unless it has control characters other than tab and line breaks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is what it looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Bytes as text (UTF-8) or, when they are not text, `0x` hex; cut at `maxBytes`. */
export function bytesText(
  bytes: Buffer | string,
  maxBytes: number,
): { text: string; binary: boolean; truncated: boolean } {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  let text: string | undefined;
  try {
    text = utf8.decode(buffer);
  } catch {
    text = undefined;
  }
  if (text !== undefined && !CONTROL.test(text)) {
    if (buffer.length <= maxBytes) return { text, binary: false, truncated: false };
    // Cut on a character boundary: a partial last character is dropped, not mangled.
    const cut = new TextDecoder('utf-8').decode(buffer.subarray(0, maxBytes)).replace(/\uFFFD$/, '');
    return { text: cut, binary: false, truncated: true };
  }
  const shown = buffer.subarray(0, Math.floor(maxBytes / 2));
  return { text: `0x${shown.toString('hex')}`, binary: true, truncated: shown.length < buffer.length };
}

/** A value as the page shows it: JSON pretty-printed (2 spaces), else text, else hex. */
export function valueText(
  value: Buffer | null,
  maxBytes: number,
): Pick<MessageView, 'value' | 'format' | 'size' | 'truncated'> {
  if (value === null) return { value: null, format: 'null', size: 0, truncated: false };
  const { text, binary, truncated } = bytesText(value, maxBytes);
  if (binary) return { value: text, format: 'binary', size: value.length, truncated };
  if (!truncated && /^\s*[[{"]/.test(text)) {
    try {
      const pretty = JSON.stringify(JSON.parse(text), null, 2);
      const shown = bytesText(pretty, maxBytes);
      return { value: shown.text, format: 'json', size: value.length, truncated: shown.truncated };
    } catch {
      // Not JSON after all: shown as the text it is.
    }
  }
  return { value: text, format: 'text', size: value.length, truncated };
}

/** The parts of a consumed message the view reads (kafkajs `KafkaMessage`). */
export interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

/** A consumed message as the page shows it. Repeated headers are one entry each. */
export function messageView(
  topic: string,
  partition: number,
  message: RawMessage,
  maxBytes: number,
): MessageView {
  let truncated = false;
  const text = (bytes: Buffer | string) => {
    const shown = bytesText(bytes, maxBytes);
    truncated ||= shown.truncated;
    return shown.text;
  };
  const headers: HeaderView[] = [];
  for (const [key, raw] of Object.entries(message.headers ?? {})) {
    for (const value of [raw ?? []].flat()) headers.push({ key, value: text(value) });
  }
  const key = message.key === null ? null : text(message.key);
  const value = valueText(message.value, maxBytes);
  const time = Number(message.timestamp);
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: new Date(Number.isFinite(time) && time >= 0 ? time : 0).toISOString(),
    key,
    headers,
    ...value,
    truncated: truncated || value.truncated,
  };
}
