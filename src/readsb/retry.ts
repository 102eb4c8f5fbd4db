/**
 * The `retry` option of the HTTP sources: a count, or the full options.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import { isIntegerIn } from '../util/validate.ts';

/** How a failed request is retried within one tick (5xx, 408, timeouts, network errors). */
export interface RetryOptions {
  /** Retries after the first attempt; 0 for none. */
  limit?: number;
  /** First backoff delay, ms; it doubles per retry, with full jitter. */
  baseMs?: number;
  /** Longest backoff delay, ms. */
  maxDelayMs?: number;
}

/** {@link RetryOptions} with every value set. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/**
 * `retry` → full options: a number is the `limit`; an object is overlaid on
 * `defaults` (skipping `undefined`). Throws {@link ConfigError} naming `path`.
 */
export function resolveRetryOptions(
  value: number | RetryOptions | undefined,
  defaults: ResolvedRetryOptions,
  path: string,
): ResolvedRetryOptions {
  if (value === undefined) return { ...defaults };
  const given = typeof value === 'number' ? { limit: value } : value;
  if (typeof given !== 'object' || given === null)
    throw new ConfigError(path, 'must be a number of retries or { limit, baseMs, maxDelayMs }');
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const resolved = { ...defaults, ...defined } as ResolvedRetryOptions;
  if (!isIntegerIn(resolved.limit, 0)) throw new ConfigError(`${path}/limit`, 'must be an integer ≥ 0');
  if (!isIntegerIn(resolved.baseMs, 0)) throw new ConfigError(`${path}/baseMs`, 'must be an integer ≥ 0');
  if (!isIntegerIn(resolved.maxDelayMs, resolved.baseMs))
    throw new ConfigError(`${path}/maxDelayMs`, 'must be an integer ≥ baseMs');
  return resolved;
}
