/**
 * Getting one JSON body for the readsb sources, from an HTTP URL or a file,
 * surviving the usual faults: 5xx, 408, timeouts and network errors are
 * retried with backoff; a 429 waits out `Retry-After` and skips the tick; a
 * body that is not JSON is counted and skipped. Only what no retry fixes
 * (401/403, another 4xx) throws.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import crossFetch from 'cross-fetch';
import { AuthError, OpenSkyHttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ResolvedRetryOptions } from '../util/retry.ts';
import { backoffDelay, pause } from '../util/retry.ts';

/** Counters a fetch updates (a subset of the sources' stats). */
export interface FetchStats {
  requests: number;
  retries: number;
  /** Ticks given up after every retry failed. */
  failures: number;
  rateLimited: number;
  /** Bodies that were not JSON. */
  malformed: number;
  lastLatencyMs: number;
}

/** How to fetch. */
export interface FetchJsonOptions {
  retry: ResolvedRetryOptions;
  timeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
  stats: FetchStats;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** How long to wait after a 429 without a usable `Retry-After`. */
  rateLimitWaitMs: number;
  /** Names the service in logs and errors, e.g. `adsb.fi`. */
  label: string;
  /**
   * Awaited before every HTTP attempt, retries included: where a caller keeps to a
   * request rate. Resolving `false` (aborted) skips the tick.
   */
  beforeRequest?: () => Promise<boolean>;
  /** Called when an HTTP attempt has ended, whatever its outcome (the answer is in, or it failed). */
  afterRequest?: () => void;
}

/** A body, or nothing this tick. */
export type Fetched = { kind: 'body'; body: unknown } | { kind: 'skip' };

const SKIP: Fetched = { kind: 'skip' };

/** `Retry-After` as milliseconds: delta seconds or an HTTP date; `undefined` when absent or unusable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True when `location` is an HTTP(S) URL rather than a file (a path or a `file:` URL). */
export const isHttpLocation = (location: string): boolean => /^https?:\/\//i.test(location);

/** Read and decode a JSON file; a missing or unreadable file, or bad JSON, skips the tick (counted). */
export async function readJsonFile(path: string | URL, o: FetchJsonOptions): Promise<Fetched> {
  o.stats.requests++;
  const started = performance.now();
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal: o.signal });
  } catch (error) {
    if (o.signal.aborted) return SKIP;
    o.stats.failures++;
    o.logger.warn('could not read the aircraft file; trying again at the next tick', {
      path: String(path),
      error: (error as Error).message,
    });
    return SKIP;
  }
  o.stats.lastLatencyMs = performance.now() - started;
  return decode(text, o);
}

function decode(text: string, o: FetchJsonOptions): Fetched {
  try {
    return { kind: 'body', body: JSON.parse(text) };
  } catch (error) {
    o.stats.malformed++;
    o.logger.warn('skipped a response that is not JSON', { from: o.label, error: (error as Error).message });
    return SKIP;
  }
}

/** GET `url` and decode its JSON, with the retries of `o.retry` within this call. */
export async function fetchJson(url: string, o: FetchJsonOptions): Promise<Fetched> {
  for (let attempt = 0; attempt <= o.retry.limit; attempt++) {
    if (attempt > 0) {
      o.stats.retries++;
      const delay = backoffDelay(attempt, o.retry.baseMs, o.retry.maxDelayMs);
      if (!(await pause(delay, o.signal))) return SKIP;
    }
    const outcome = await attemptOnce(url, o);
    if (outcome !== 'retry') return outcome;
  }
  o.stats.failures++;
  o.logger.warn('request failed after retries; trying again at the next tick', {
    from: o.label,
    retries: o.retry.limit,
  });
  return SKIP;
}

async function attemptOnce(url: string, o: FetchJsonOptions): Promise<Fetched | 'retry'> {
  if (o.beforeRequest && !(await o.beforeRequest())) return SKIP;
  try {
    return await exchange(url, o);
  } finally {
    o.afterRequest?.();
  }
}

async function exchange(url: string, o: FetchJsonOptions): Promise<Fetched | 'retry'> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const started = performance.now();
  o.stats.requests++;
  let response: Response;
  try {
    response = await (o.fetch ?? (crossFetch as typeof fetch))(url, {
      headers: { accept: 'application/json', ...o.headers },
      redirect: 'follow',
      signal: AbortSignal.any([o.signal, timeout]),
    });
  } catch (error) {
    if (o.signal.aborted) return SKIP;
    o.logger.warn('request failed', {
      from: o.label,
      error: timeout.aborted ? 'timeout' : (error as Error).message,
    });
    return 'retry';
  }
  o.stats.lastLatencyMs = performance.now() - started;
  const drain = () => response.text().catch(() => undefined); // so the connection is reused
  if (response.status === 429) {
    o.stats.rateLimited++;
    const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? o.rateLimitWaitMs;
    o.logger.warn('rate limited (HTTP 429); waiting', { from: o.label, seconds: Math.round(waitMs / 1000) });
    await drain();
    await pause(waitMs, o.signal);
    return SKIP;
  }
  if (response.status === 401 || response.status === 403) {
    await drain();
    throw new AuthError(`${o.label} refused the request (HTTP ${response.status}): check the API key`, {
      details: { url },
    });
  }
  if (response.status >= 500 || response.status === 408) {
    o.logger.warn('server error', { from: o.label, status: response.status });
    await drain();
    return 'retry';
  }
  if (!response.ok) {
    await drain();
    throw new OpenSkyHttpError(`${o.label} answered HTTP ${response.status} for ${url}`, response.status);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (o.signal.aborted) return SKIP;
    o.logger.warn('response cut short', { from: o.label, error: (error as Error).message });
    return 'retry';
  }
  return decode(text, o);
}
