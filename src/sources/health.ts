/**
 * Why a failover chain leaves a source: read from what its poller did (threw,
 * ended) and from its counters since it became active.
 *
 * @module
 */
import { isOpenSkyStreamError } from '../errors.ts';
import type { CandidateHealthStats } from './failover-options.ts';

/**
 * Why the chain switched:
 * - `exhausted`: rate limited (HTTP 429 beyond the interval) or OpenSky credits at 0;
 * - `blocked`: refused (401/403, another 4xx) or failing (5xx, connection refused, timeouts) through its retries;
 * - `stale`: answering, but with no newer data;
 * - `ended`: the poller finished by itself;
 * - `recovered`: a more preferred source answered a probe, so the chain went back to it.
 */
export type SwitchReason = 'exhausted' | 'blocked' | 'stale' | 'ended' | 'recovered';

/** The counters that tell the reasons apart, copied when a source becomes active. */
export interface HealthBaseline {
  rateLimited: number;
  failures: number;
}

/** Copy the counters a later {@link classifyStall} compares with. */
export function healthBaseline(stats: CandidateHealthStats | undefined): HealthBaseline {
  return { rateLimited: stats?.rateLimited ?? 0, failures: stats?.failures ?? 0 };
}

/**
 * Why a source yielded nothing new for too long: credits at 0 or more 429s
 * since `baseline` → `exhausted`; more failed ticks → `blocked`; else `stale`.
 */
export function classifyStall(
  stats: CandidateHealthStats | undefined,
  baseline: HealthBaseline,
): SwitchReason {
  if (!stats) return 'stale';
  if (stats.creditsRemaining === 0 || (stats.rateLimited ?? 0) > baseline.rateLimited) return 'exhausted';
  if ((stats.failures ?? 0) > baseline.failures) return 'blocked';
  return 'stale';
}

/** Why a poller that threw is left: a 429 that escaped is `exhausted`, anything else `blocked`. */
export function classifyError(error: unknown): SwitchReason {
  const status = isOpenSkyStreamError(error) ? (error as { status?: unknown }).status : undefined;
  return status === 429 ? 'exhausted' : 'blocked';
}
