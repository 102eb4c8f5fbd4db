/**
 * Options of StandbySource: the typed interface, its defaults, and validation
 * that names the offending option.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import type { KafkaConnectionOptions } from '../kafka/client.ts';
import type { Logger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { isIntegerIn } from '../util/validate.ts';

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
   * How long the group waits for a silent member before another takes over, ms.
   * Brokers accept 6 s and more by default (`group.min.session.timeout.ms`).
   * @default 6000
   */
  sessionTimeoutMs?: number;
  /** How often a member tells the group it is alive, ms; under a third of the session timeout. @default 1000 */
  heartbeatIntervalMs?: number;
  /** How long reading back the topic's last snapshot time may take at a takeover, ms. @default 5000 */
  readBackTimeoutMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

/** Defaults of {@link StandbySourceOptions}. */
export const defaultStandbySourceOptions = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  readBackTimeoutMs: 5000,
} as const satisfies Partial<StandbySourceOptions>;

/** Options after defaults. */
export type ResolvedStandbySourceOptions = StandbySourceOptions &
  Required<
    Pick<StandbySourceOptions, 'group' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'readBackTimeoutMs'>
  >;

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveStandbySourceOptions(options: StandbySourceOptions): ResolvedStandbySourceOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...defaultStandbySourceOptions, ...given } as StandbySourceOptions &
    typeof defaultStandbySourceOptions & { group?: string };
  if (typeof o.topic !== 'string' || o.topic === '') throw new ConfigError('/options/topic', 'is required');
  const group = o.group ?? `${o.topic}-producers`;
  if (typeof group !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(group))
    throw new ConfigError('/options/group', 'must be a valid topic name: letters, digits, ".", "_", "-"');
  if (typeof o.open !== 'function') throw new ConfigError('/options/open', 'must be a function');
  if (!isIntegerIn(o.sessionTimeoutMs, 1000))
    throw new ConfigError('/options/sessionTimeoutMs', 'must be an integer ≥ 1000');
  if (!isIntegerIn(o.heartbeatIntervalMs, 100) || o.heartbeatIntervalMs * 3 > o.sessionTimeoutMs)
    throw new ConfigError(
      '/options/heartbeatIntervalMs',
      'must be an integer ≥ 100 and at most a third of sessionTimeoutMs',
    );
  if (!isIntegerIn(o.readBackTimeoutMs, 1))
    throw new ConfigError('/options/readBackTimeoutMs', 'must be an integer ≥ 1');
  return { ...o, group };
}
