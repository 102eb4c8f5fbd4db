/**
 * Counters shared by the readsb sources (a receiver's aircraft.json and the
 * community APIs), and the bookkeeping of one parsed body.
 *
 * @module
 */
import type { Logger } from '../logger.ts';
import type { ReadsbStates } from './body.ts';
import type { FetchStats } from './fetch.ts';

/** Counters of a readsb source. */
export interface ReadsbSourceStats extends FetchStats {
  /** Polls whose data was not newer than the last snapshot's (same `now`). */
  unchanged: number;
  /** Malformed aircraft rows, left out. */
  skippedRows: number;
  /** Aircraft with a non-ICAO (`~`) address, left out. */
  nonIcao: number;
  missedTicks: number;
  snapshots: number;
  lastStates: number;
  /** When the last valid body arrived, new or unchanged (ms since the epoch); for readiness checks. */
  lastSuccessAt: number | undefined;
}

/** Fresh counters. */
export function readsbSourceStats(): ReadsbSourceStats {
  return {
    requests: 0,
    retries: 0,
    failures: 0,
    rateLimited: 0,
    malformed: 0,
    lastLatencyMs: 0,
    unchanged: 0,
    skippedRows: 0,
    nonIcao: 0,
    missedTicks: 0,
    snapshots: 0,
    lastStates: 0,
    lastSuccessAt: undefined,
  };
}

/** Count a parsed body's left-out rows, and log the malformed ones (once per body). */
export function countParsed(
  stats: ReadsbSourceStats,
  parsed: ReadsbStates,
  logger: Logger,
  from: string,
): void {
  stats.skippedRows += parsed.skipped.length;
  stats.nonIcao += parsed.nonIcao;
  stats.lastSuccessAt = Date.now();
  if (parsed.skipped.length)
    logger.warn('skipped malformed aircraft', {
      from,
      count: parsed.skipped.length,
      first: parsed.skipped[0]?.reason,
    });
}
