/**
 * Options of ReadsbSource: the typed interface, its defaults, and validation
 * that names the offending option.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetry } from '../util/retry.ts';
import { isIntegerIn } from '../util/validate.ts';

/** Options of `ReadsbSource`. */
export interface ReadsbSourceOptions {
  /**
   * Where the receiver's `aircraft.json` is: an HTTP(S) URL (readsb, dump1090-fa
   * and tar1090 serve it under `data/`), a `file:` URL, or a path (readsb's
   * `--write-json` directory, by default `/run/readsb`).
   * @example 'http://raspberrypi.local/tar1090/data/aircraft.json'
   * @example '/run/readsb/aircraft.json'
   */
  url: string;
  /** Polling interval, ms. readsb rewrites `aircraft.json` once a second. @default 1000 */
  intervalMs?: number;
  /** Per-request timeout, ms. @default 5000 */
  requestTimeoutMs?: number;
  /**
   * Retries within one tick (5xx, 408, timeouts, network errors): a count, or
   * `{ limit, baseMs, maxDelayMs }`.
   * @default { limit: 2, baseMs: 200, maxDelayMs: 1000 }
   */
  retry?: number | RetryOptions;
  /**
   * Keep aircraft whose `hex` starts with `~` (readsb's mark of a non-ICAO
   * address: TIS-B tracks, anonymised ADS-B), `~` included in `icao24`. They
   * are not ICAO 24-bit addresses, so they are left out by default.
   * @default false
   */
  keepNonIcao?: boolean;
  /** The source's name: the `source` header of the Kafka records `produce` writes. @default 'readsb' */
  name?: string;
  /** Stop after this many snapshots. */
  maxSnapshots?: number;
  signal?: AbortSignal;
  /** The fetch implementation. @default cross-fetch */
  fetch?: typeof fetch;
  logger?: Logger;
}

/** Defaults of {@link ReadsbSourceOptions}. */
export const defaultReadsbSourceOptions = {
  intervalMs: 1000,
  requestTimeoutMs: 5000,
  retry: { limit: 2, baseMs: 200, maxDelayMs: 1000 },
  keepNonIcao: false,
  name: 'readsb',
} as const satisfies Partial<ReadsbSourceOptions>;

/** Options after defaults. */
export type ResolvedReadsbSourceOptions = Omit<ReadsbSourceOptions, 'retry'> &
  Required<Pick<ReadsbSourceOptions, 'intervalMs' | 'requestTimeoutMs' | 'keepNonIcao' | 'name'>> & {
    retry: ResolvedRetryOptions;
  };

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveReadsbSourceOptions(options: ReadsbSourceOptions): ResolvedReadsbSourceOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...defaultReadsbSourceOptions, ...given } as ReadsbSourceOptions &
    Required<Pick<ReadsbSourceOptions, 'intervalMs' | 'requestTimeoutMs' | 'keepNonIcao' | 'name'>>;
  if (typeof o.url !== 'string' || o.url.trim() === '')
    throw new ConfigError('/options/url', 'is required: the URL or path of aircraft.json');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(o.url) && !/^(https?|file):\/\//i.test(o.url))
    throw new ConfigError('/options/url', `must be an http(s) or file URL, or a path, got '${o.url}'`);
  if (/^(https?|file):\/\//i.test(o.url) && !URL.canParse(o.url))
    throw new ConfigError('/options/url', `is not a URL: '${o.url}'`);
  if (!isIntegerIn(o.intervalMs, 100))
    throw new ConfigError('/options/intervalMs', 'must be an integer ≥ 100');
  if (!isIntegerIn(o.requestTimeoutMs, 1))
    throw new ConfigError('/options/requestTimeoutMs', 'must be an integer ≥ 1');
  if (typeof o.keepNonIcao !== 'boolean') throw new ConfigError('/options/keepNonIcao', 'must be a boolean');
  if (typeof o.name !== 'string' || o.name === '' || o.name.length > 64)
    throw new ConfigError('/options/name', 'must be a string of 1–64 characters');
  if (o.maxSnapshots !== undefined && !isIntegerIn(o.maxSnapshots, 1))
    throw new ConfigError('/options/maxSnapshots', 'must be an integer ≥ 1');
  if (o.fetch !== undefined && typeof o.fetch !== 'function')
    throw new ConfigError('/options/fetch', 'must be a function');
  const retry = resolveRetry(options.retry, defaultReadsbSourceOptions.retry, '/options/retry');
  return { ...o, retry };
}
