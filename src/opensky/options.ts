/**
 * Options of OpenSkySource: the typed interface, its defaults, and validation
 * that names the offending option.
 *
 * @module
 */
import { DEFAULT_INTERVAL_MS } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { overlayWithRetry, type ResolvedRetryOptions, type RetryOptions } from '../util/retry.ts';
import { requireFunction, requireInteger } from '../util/validate.ts';
import type { OpenSkyCredentials } from './auth.ts';
import { type BoundingBox, type CreditTier, CreditTiers, validateBoundingBox } from './credits.ts';

/** Options of `OpenSkySource`. */
export interface OpenSkySourceOptions {
  /** API base URL; point it at a mirror or a local replay server. @default 'https://opensky-network.org/api' */
  baseUrl?: string;
  /** Only aircraft inside this box (also lowers the credit cost). */
  bbox?: BoundingBox;
  /** Only these transponders (lower-case hex). */
  icao24?: string[];
  /** Ask for the 18th field, `category`. @default false */
  extended?: boolean;
  /** Polling interval, ms. The data's resolution is 10 s anonymous, 5 s authenticated. @default 3000 */
  intervalMs?: number;
  /** Per-request timeout, ms, of data and token requests alike. @default 15000 */
  requestTimeoutMs?: number;
  /**
   * Retries within one tick on 5xx, timeouts and network errors (of the token request too), and
   * the backoff between them; a number is the `limit`. A tick whose retries all failed is given
   * up, and the next tick tries again.
   * @default { limit: 3, baseMs: 500, maxDelayMs: 10000 }
   */
  retry?: number | RetryOptions;
  /** @deprecated Use `retry.limit` (or `retry: n`). */
  maxRetries?: number;
  /** @deprecated Use `retry.baseMs`. */
  retryBaseMs?: number;
  /** @deprecated Use `retry.maxDelayMs`. */
  retryMaxDelayMs?: number;
  /**
   * Largest response body read, bytes; a larger one is abandoned and counted in
   * `stats.oversized` (the whole world, extended, is about 3 MB). @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Longest `icao24`, `callsign`, `origin_country` or `squawk` accepted, characters; a row with
   * a longer one is skipped and counted in `skippedRows` (reason `length:<field>`), so one
   * oversized row cannot make a Kafka message the broker refuses. @default 64
   */
  maxFieldLength?: number;
  /**
   * How far a response's `time` may lie ahead of this machine's clock, ms. A response further
   * ahead is skipped and counted in `stats.futureTime`: accepted, it would make every later
   * snapshot look "unchanged". @default 60000
   */
  futureToleranceMs?: number;
  /** OAuth2 client credentials; anonymous when absent. */
  credentials?: OpenSkyCredentials;
  /** Account tier, for credit budgeting. @default 'standard' with credentials, else 'anonymous' */
  tier?: CreditTier;
  /** `warn`: warn at start when the interval would exhaust the credits early; `pace`: stretch the interval so they last the period. @default 'warn' */
  budget?: 'off' | 'warn' | 'pace';
  /** Stop after this many snapshots. */
  maxSnapshots?: number;
  signal?: AbortSignal;
  /** The fetch implementation. @default cross-fetch */
  fetch?: typeof fetch;
  logger?: Logger;
}

/** Defaults of {@link OpenSkySourceOptions}. */
export const defaultOpenSkySourceOptions = {
  baseUrl: 'https://opensky-network.org/api',
  extended: false,
  intervalMs: DEFAULT_INTERVAL_MS,
  requestTimeoutMs: 15_000,
  retry: { limit: 3, baseMs: 500, maxDelayMs: 10_000 },
  maxResponseBytes: 16 * 1024 * 1024,
  maxFieldLength: 64,
  futureToleranceMs: 60_000,
  budget: 'warn',
} as const satisfies Partial<OpenSkySourceOptions>;

/** The deprecated flat retry options, mapped onto `retry`. */
const RETRY_ALIASES = { limit: 'maxRetries', baseMs: 'retryBaseMs', maxDelayMs: 'retryMaxDelayMs' } as const;

/** Options after defaults, with the tier and the retries resolved. */
export type ResolvedOpenSkySourceOptions = Omit<
  OpenSkySourceOptions,
  keyof typeof defaultOpenSkySourceOptions | (typeof RETRY_ALIASES)[keyof typeof RETRY_ALIASES]
> & {
  -readonly [K in Exclude<keyof typeof defaultOpenSkySourceOptions, 'retry'>]-?: NonNullable<
    OpenSkySourceOptions[K]
  >;
} & { tier: CreditTier; retry: ResolvedRetryOptions };

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveOpenSkySourceOptions(
  options: OpenSkySourceOptions = {},
): ResolvedOpenSkySourceOptions {
  const tier = options?.credentials ? 'standard' : 'anonymous';
  const o = overlayWithRetry<ResolvedOpenSkySourceOptions>(
    { ...defaultOpenSkySourceOptions, tier },
    options,
    [{ aliases: RETRY_ALIASES }],
  );
  if (typeof o.baseUrl !== 'string' || !URL.canParse(o.baseUrl))
    throw new ConfigError('/options/baseUrl', `is not a URL: '${String(o.baseUrl)}'`);
  if (o.bbox !== undefined) validateBoundingBox(o.bbox);
  if (
    o.icao24 !== undefined &&
    (!Array.isArray(o.icao24) || o.icao24.some((id) => !/^[0-9a-f]{6}$/.test(id)))
  )
    throw new ConfigError('/options/icao24', 'must list 6-digit lower-case hex addresses');
  if (typeof o.extended !== 'boolean') throw new ConfigError('/options/extended', 'must be a boolean');
  requireInteger(o.intervalMs, '/options/intervalMs', 100);
  requireInteger(o.requestTimeoutMs, '/options/requestTimeoutMs', 1);
  requireInteger(o.maxResponseBytes, '/options/maxResponseBytes', 1024);
  requireInteger(o.maxFieldLength, '/options/maxFieldLength', 8);
  requireInteger(o.futureToleranceMs, '/options/futureToleranceMs', 0);
  if (!Object.hasOwn(CreditTiers, o.tier))
    throw new ConfigError('/options/tier', `must be one of ${Object.keys(CreditTiers).join(', ')}`);
  if (!['off', 'warn', 'pace'].includes(o.budget))
    throw new ConfigError('/options/budget', "must be 'off', 'warn' or 'pace'");
  if (o.maxSnapshots !== undefined) requireInteger(o.maxSnapshots, '/options/maxSnapshots', 1);
  if (o.credentials !== undefined) {
    const { clientId, clientSecret } = o.credentials as Partial<OpenSkyCredentials>;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string')
      throw new ConfigError('/options/credentials', 'must have string clientId and clientSecret');
  }
  requireFunction(o.fetch, '/options/fetch');
  return o;
}
