/**
 * Options of StandbySource: the typed interface, its defaults (the group's
 * timing derived from the poll interval), and validation that names the
 * offending option.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import type { KafkaConnectionOptions } from '../kafka/client.ts';
import type { Logger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { definedValues, requireInteger } from '../util/validate.ts';

/** Options of `StandbySource`. */
export interface StandbySourceOptions extends KafkaConnectionOptions {
  /** The topic the snapshots are produced to: read back at a takeover, so nothing is produced twice. */
  topic: string;
  /**
   * The consumer group the producers of one feed join, and its one-partition
   * control topic (created when missing). Every producer of the feed must use the same.
   * @default `${topic}-producers`
   */
  group?: string;
  /** Open the poller; it must stop when `signal` aborts (every source of this library does). */
  open(signal: AbortSignal): AsyncIterable<Snapshot>;
  /**
   * The poll interval of the sources `open` creates, ms. The group's timing is derived from it
   * (half the interval, from 1 s to 30 s) so a standby takes over within two intervals.
   * @default 3000
   */
  intervalMs?: number;
  /**
   * How long the group waits for a silent member before another takes over, ms. The broker must
   * accept it (`group.min.session.timeout.ms`, 6 s by default; the local stack's broker: 1 s); if
   * it does not, the broker's minimum is used instead, with a warning.
   * @default sessionTimeoutForInterval(intervalMs): half the interval, from 1 s to 30 s
   */
  sessionTimeoutMs?: number;
  /** How often a member tells the group it is alive, ms; at most a third of the session timeout. @default a third of sessionTimeoutMs */
  heartbeatIntervalMs?: number;
  /** How long reading back the topic's last snapshot time may take at a takeover, ms. @default 5000 */
  readBackTimeoutMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

/** Defaults of {@link StandbySourceOptions}; the session timeout and heartbeat are derived from `intervalMs`. */
export const defaultStandbySourceOptions = {
  intervalMs: 3000,
  readBackTimeoutMs: 5000,
} as const satisfies Partial<StandbySourceOptions>;

/** The shortest and longest session timeouts {@link sessionTimeoutForInterval} derives, ms. */
export const SESSION_TIMEOUT_RANGE_MS = { min: 1000, max: 30_000 } as const;

/**
 * The session timeout for a poll interval: half of it, from 1 s to 30 s.
 *
 * Why half: a takeover costs the session timeout (the dead poller is noticed),
 * up to one heartbeat (the standby hears of the rebalance; a third of the
 * session), the rejoin, and the first poll. With half an interval that is
 * about ⅔ of an interval plus the rejoin, so even when the poller dies just
 * before its next poll the gap between its last snapshot and the standby's
 * first stays within two intervals. 1 s is the floor below which ordinary
 * pauses (a garbage collection, a slow network round trip) would cost
 * leadership; 30 s the ceiling beyond which waiting gains nothing.
 */
export function sessionTimeoutForInterval(intervalMs: number): number {
  const { min, max } = SESSION_TIMEOUT_RANGE_MS;
  return Math.min(max, Math.max(min, Math.round(intervalMs / 2)));
}

/** Options after defaults. */
export type ResolvedStandbySourceOptions = StandbySourceOptions &
  Required<
    Pick<
      StandbySourceOptions,
      'group' | 'intervalMs' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'readBackTimeoutMs'
    >
  >;

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveStandbySourceOptions(options: StandbySourceOptions): ResolvedStandbySourceOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const o = { ...defaultStandbySourceOptions, ...definedValues(options) } as StandbySourceOptions &
    typeof defaultStandbySourceOptions;
  if (typeof o.topic !== 'string' || o.topic === '') throw new ConfigError('/options/topic', 'is required');
  const group = o.group ?? `${o.topic}-producers`;
  if (typeof group !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(group))
    throw new ConfigError('/options/group', 'must be a valid topic name: letters, digits, ".", "_", "-"');
  if (typeof o.open !== 'function') throw new ConfigError('/options/open', 'must be a function');
  requireInteger(o.intervalMs, '/options/intervalMs', 1);
  const sessionTimeoutMs = o.sessionTimeoutMs ?? sessionTimeoutForInterval(o.intervalMs);
  requireInteger(sessionTimeoutMs, '/options/sessionTimeoutMs', 1000);
  const heartbeatIntervalMs = o.heartbeatIntervalMs ?? Math.floor(sessionTimeoutMs / 3);
  if (typeof heartbeatIntervalMs !== 'number' || heartbeatIntervalMs * 3 > sessionTimeoutMs)
    throw new ConfigError('/options/heartbeatIntervalMs', 'must be at most a third of sessionTimeoutMs');
  requireInteger(heartbeatIntervalMs, '/options/heartbeatIntervalMs', 100);
  requireInteger(o.readBackTimeoutMs, '/options/readBackTimeoutMs', 1);
  return { ...o, group, sessionTimeoutMs, heartbeatIntervalMs };
}
