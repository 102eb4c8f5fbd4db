/**
 * Options of FailoverSource: the typed interface, its defaults, and validation
 * that names the offending option.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { isIntegerIn } from '../util/validate.ts';

/**
 * The counters a candidate's poller may expose (OpenSkySource, ReadsbSource and
 * AdsbApiSource all do): read at a switch to say why the source was left.
 */
export interface CandidateHealthStats {
  /** HTTP 429 answers. */
  rateLimited?: number;
  /** Ticks given up after every retry failed (5xx, timeouts, connection refused). */
  failures?: number;
  /** OpenSky's `X-Rate-Limit-Remaining`: 0 when the day's credits are spent. */
  creditsRemaining?: number | undefined;
}

/** A poller one candidate opens: snapshots, and optionally its counters. */
export type CandidatePoller = AsyncIterable<Snapshot> & { readonly stats?: CandidateHealthStats };

/** One source of a failover chain. */
export interface FailoverCandidate {
  /** Its name in logs, stats and metrics (e.g. `opensky`, `adsb.fi`). */
  name: string;
  /**
   * The `source` header of the records its snapshots become; unset keeps the
   * sink's default (OpenSky's).
   */
  header?: string;
  /**
   * Open a fresh poller that stops when `signal` aborts. Called when the chain
   * starts on this candidate, switches to it, or probes it.
   */
  open(signal: AbortSignal): CandidatePoller;
}

/** Options of `FailoverSource`. */
export interface FailoverSourceOptions {
  /** The chain, most preferred first. */
  candidates: readonly FailoverCandidate[];
  /** The candidates' polling interval, ms: the unit of the two durations below. @default 3000 */
  intervalMs?: number;
  /**
   * Leave the active source when it has yielded no newer snapshot for this long
   * (a 429 beyond the interval, credits at 0, 5xx or refused connections
   * through their retries, or data that stopped changing).
   * @default 3 × intervalMs
   */
  staleAfterMs?: number;
  /**
   * While on a fallback, try a more preferred candidate this often; the first
   * fresh snapshot it yields within `staleAfterMs` brings the chain back to it.
   * @default max(60 s, 20 × intervalMs), so an exhausted OpenSky account is not probed every few seconds
   */
  probeEveryMs?: number;
  /** Stop after this many snapshots. */
  maxSnapshots?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

/** Defaults of {@link FailoverSourceOptions}. */
export const defaultFailoverSourceOptions = {
  intervalMs: 3000,
  /** `staleAfterMs` is this many intervals unless given. */
  staleIntervals: 3,
  /** `probeEveryMs` is this many intervals (and at least `minProbeEveryMs`) unless given. */
  probeIntervals: 20,
  minProbeEveryMs: 60_000,
} as const;

/** Options after defaults. */
export interface ResolvedFailoverSourceOptions {
  candidates: readonly FailoverCandidate[];
  intervalMs: number;
  staleAfterMs: number;
  probeEveryMs: number;
  maxSnapshots: number | undefined;
}

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveFailoverSourceOptions(options: FailoverSourceOptions): ResolvedFailoverSourceOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const d = defaultFailoverSourceOptions;
  const { candidates } = options;
  if (!Array.isArray(candidates) || candidates.length === 0)
    throw new ConfigError('/options/candidates', 'must be a non-empty array');
  const names = new Set<string>();
  candidates.forEach((candidate: FailoverCandidate, i) => {
    if (typeof candidate?.name !== 'string' || candidate.name === '')
      throw new ConfigError(`/options/candidates/${i}/name`, 'must be a non-empty string');
    if (names.has(candidate.name))
      throw new ConfigError(`/options/candidates/${i}/name`, `must be unique ('${candidate.name}' twice)`);
    names.add(candidate.name);
    if (typeof candidate.open !== 'function')
      throw new ConfigError(`/options/candidates/${i}/open`, 'must be a function');
  });
  const intervalMs = options.intervalMs ?? d.intervalMs;
  if (!isIntegerIn(intervalMs, 1)) throw new ConfigError('/options/intervalMs', 'must be an integer ≥ 1');
  const staleAfterMs = options.staleAfterMs ?? d.staleIntervals * intervalMs;
  if (!isIntegerIn(staleAfterMs, intervalMs))
    throw new ConfigError('/options/staleAfterMs', `must be an integer ≥ intervalMs (${intervalMs})`);
  const probeEveryMs = options.probeEveryMs ?? Math.max(d.minProbeEveryMs, d.probeIntervals * intervalMs);
  if (!isIntegerIn(probeEveryMs, 1)) throw new ConfigError('/options/probeEveryMs', 'must be an integer ≥ 1');
  if (options.maxSnapshots !== undefined && !isIntegerIn(options.maxSnapshots, 1))
    throw new ConfigError('/options/maxSnapshots', 'must be an integer ≥ 1');
  return { candidates, intervalMs, staleAfterMs, probeEveryMs, maxSnapshots: options.maxSnapshots };
}
