/**
 * Options of the live page's Kafka view (src/ui/kafka-view.ts): the typed
 * interface, its defaults, and validation that names the offending option.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import type { KafkaConnectionOptions } from '../kafka/client.ts';
import type { Logger } from '../logger.ts';
import { isIntegerIn } from '../util/validate.ts';

/** Options of {@link createKafkaInspector}. */
export interface KafkaViewOptions extends KafkaConnectionOptions {
  /**
   * Longest a view request (topics, groups, or messages) may take; the page then shows a
   * timeout instead of waiting. @default 10000
   */
  timeoutMs?: number;
  /** Messages shown when the page does not ask for a number. @default 20 */
  messages?: number;
  /** Most messages one request may ask for. @default 200 */
  maxMessages?: number;
  /** A key, header or value longer than this (UTF-8 bytes) is cut, and marked so. @default 16384 */
  maxValueBytes?: number;
  /** Topics listed at most (by name); the rest are counted. @default 200 */
  maxTopics?: number;
  /** Consumer groups listed at most (by id); the rest are counted. @default 100 */
  maxGroups?: number;
  /** The admin connection closes after this long without a request (the view closed). @default 30000 */
  idleMs?: number;
  /** The topic whose messages the page shows first, e.g. the pipeline's. */
  defaultTopic?: string;
  /** @default silentLogger */
  logger?: Logger;
}

/** Defaults of {@link KafkaViewOptions}. */
export const defaultKafkaViewOptions = {
  timeoutMs: 10_000,
  messages: 20,
  maxMessages: 200,
  maxValueBytes: 16 * 1024,
  maxTopics: 200,
  maxGroups: 100,
  idleMs: 30_000,
} as const satisfies Partial<KafkaViewOptions>;

/** Options after defaults. */
export type ResolvedKafkaViewOptions = KafkaViewOptions &
  Required<Pick<KafkaViewOptions, keyof typeof defaultKafkaViewOptions>>;

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveKafkaViewOptions(options: KafkaViewOptions = {}): ResolvedKafkaViewOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...defaultKafkaViewOptions, ...given } as ResolvedKafkaViewOptions;
  for (const key of ['timeoutMs', 'messages', 'maxMessages', 'maxTopics', 'maxGroups', 'idleMs'] as const)
    if (!isIntegerIn(o[key], 1)) throw new ConfigError(`/options/${key}`, 'must be an integer ≥ 1');
  if (o.messages > o.maxMessages)
    throw new ConfigError('/options/messages', `must be at most maxMessages (${o.maxMessages})`);
  // Below this a JSON value could not show a single nested line.
  if (!isIntegerIn(o.maxValueBytes, 64))
    throw new ConfigError('/options/maxValueBytes', 'must be an integer ≥ 64');
  if (o.defaultTopic !== undefined && (typeof o.defaultTopic !== 'string' || o.defaultTopic === ''))
    throw new ConfigError('/options/defaultTopic', 'must be a non-empty string');
  return o;
}
