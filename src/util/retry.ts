/**
 * Retries, shared by every primitive that retries: the `retry` option's one
 * vocabulary and normalizer, the backoff, and an abortable sleep.
 *
 * @module
 */
import { AbortError, ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { definedValues, isIntegerIn, requireInteger } from './validate.ts';

/**
 * Exponential backoff with full jitter: a random delay in
 * [0, min(capMs, baseMs × 2^(attempt-1))].
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/** Resolve after `ms`, or reject with {@link AbortError} when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wait `ms`; resolves `false` instead of throwing when `signal` aborts first. */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * How a primitive retries: how many times, and the capped exponential backoff
 * (full jitter) between two tries. Every primitive takes it as
 * `retry?: number | RetryOptions`, a number being the `limit`, and documents its
 * own defaults.
 * @example
 * ```ts
 * new SnsPublisher({ retry: 2 });                                   // 2 retries, default delays
 * new OpenSkySource({ retry: { limit: 5, maxDelayMs: 20_000 } });   // the rest stays default
 * ```
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt; 0 for none. Where a primitive can retry until it
   * succeeds (the bridge, as AWS's `MaximumRetryAttempts`), `Infinity` or `-1` does so;
   * resolved options then hold `Infinity`, never `-1`.
   */
  limit?: number;
  /** First backoff delay, ms; it doubles per retry, with full jitter. */
  baseMs?: number;
  /** Longest backoff delay, ms (at least `baseMs`). */
  maxDelayMs?: number;
}

/** {@link RetryOptions} after defaults: `limit` is an integer ≥ 0 or `Infinity`. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** What a primitive allows beyond the common rules of {@link resolveRetry}. */
export interface RetryRules {
  /** Smallest `baseMs`. @default 0 */
  minBaseMs?: number;
  /**
   * Whether `limit` may be `Infinity` (or `-1`): `false`, the default, for a primitive whose
   * caller must hear of a failure; `true` where retrying until success is a real choice (the
   * bridge, as AWS's `MaximumRetryAttempts: -1`); `{ only }` for a primitive that never gives
   * up by itself, `only` saying why (the Kafka sink, whose bound is its buffer).
   */
  forever?: boolean | { only: string };
}

const RETRY_KEYS: ReadonlySet<string> = new Set(['limit', 'baseMs', 'maxDelayMs']);

/** Where each field's error points. */
type RetryPaths = Record<keyof RetryOptions, string>;

/**
 * The one normalizer of every primitive's `retry` option: `undefined` gives
 * `defaults`, a number is the `limit`, an object overlays its defined fields on
 * `defaults`. Validates and throws {@link ConfigError} naming the field under
 * `path` (e.g. `/options/retry/baseMs`; `/options/retry/limit` for a number too).
 */
export function resolveRetry(
  value: number | RetryOptions | undefined,
  defaults: ResolvedRetryOptions,
  path = '/options/retry',
  rules: RetryRules = {},
): ResolvedRetryOptions {
  const paths: RetryPaths = {
    limit: `${path}/limit`,
    baseMs: `${path}/baseMs`,
    maxDelayMs: `${path}/maxDelayMs`,
  };
  if (value === undefined || typeof value === 'number')
    return checked({ ...defaults, ...(value === undefined ? {} : { limit: value }) }, paths, rules);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(
      path,
      'must be a number (the retry limit) or an object { limit, baseMs, maxDelayMs }',
    );
  const unknown = Object.keys(value).find((key) => !RETRY_KEYS.has(key));
  if (unknown !== undefined)
    throw new ConfigError(`${path}/${unknown}`, 'is not a retry option (limit, baseMs, maxDelayMs)');
  return checked({ ...defaults, ...definedValues(value) }, paths, rules);
}

/** Deprecated option names of a primitive, and the {@link RetryOptions} field each one stands for. */
export type RetryAliases = Readonly<Partial<Record<keyof RetryOptions, string>>>;

/** How {@link resolveRetryOption} finds a primitive's retry option. */
export interface RetryOptionSpec {
  /** The option's name. @default 'retry' */
  key?: string;
  /** The defaults, documented by the primitive. */
  defaults: ResolvedRetryOptions;
  /** The primitive's deprecated flat options, still accepted for one release. */
  aliases?: RetryAliases;
  rules?: RetryRules;
  /** Where the deprecation warning goes; without one, a Node `DeprecationWarning`. */
  logger?: Pick<Logger, 'warn'> | undefined;
}

/**
 * {@link resolveRetry} of `options[key]`, with the primitive's deprecated flat options
 * (`maxRetries`, `retryBaseMs`, …) mapped onto it: their errors name them
 * (`/options/maxRetries`). Giving both the new option and an old one throws
 * {@link ConfigError}: which should win would be a guess. When an old name is used,
 * one warning names them all, through `logger` when one is given, else as a Node
 * `DeprecationWarning` (silenced by `--no-deprecation`).
 */
export function resolveRetryOption(
  options: Readonly<Record<string, unknown>>,
  spec: RetryOptionSpec,
): ResolvedRetryOptions {
  const key = spec.key ?? 'retry';
  const value = options[key] as number | RetryOptions | undefined;
  const used = (Object.entries(spec.aliases ?? {}) as Array<[keyof RetryOptions, string]>).filter(
    ([, name]) => options[name] !== undefined,
  );
  if (used.length === 0) return resolveRetry(value, spec.defaults, `/options/${key}`, spec.rules);
  if (value !== undefined)
    throw new ConfigError(
      `/options/${used[0]![1]}`,
      `is deprecated and cannot be combined with /options/${key}`,
    );
  const message = `deprecated options: ${used
    .map(([field, name]) => `${name} (use ${key}.${field})`)
    .join(', ')}; they will be removed in the next major release`;
  if (spec.logger) spec.logger.warn(message, { deprecated: used.map(([, name]) => name) });
  else process.emitWarning(message, { type: 'DeprecationWarning', code: 'OSS_DEPRECATED_RETRY' });
  const paths: RetryPaths = {
    limit: `/options/${key}/limit`,
    baseMs: `/options/${key}/baseMs`,
    maxDelayMs: `/options/${key}/maxDelayMs`,
  };
  const resolved = { ...spec.defaults };
  for (const [field, name] of used) {
    resolved[field] = options[name] as number;
    paths[field] = `/options/${name}`;
  }
  return checked(resolved, paths, spec.rules ?? {});
}

/**
 * The defined values of `options` over `defaults`, as every `resolve…Options()` starts,
 * with each of the primitive's retry options (`retry` unless `specs` say otherwise)
 * resolved by {@link resolveRetryOption} from its default in `defaults`, and the
 * deprecated names left out. Deprecation warnings go to `options.logger`.
 */
export function overlayWithRetry<R>(
  defaults: Readonly<Record<string, unknown>>,
  options: object,
  specs: ReadonlyArray<Omit<RetryOptionSpec, 'defaults' | 'logger'>> = [{}],
): R {
  const given = definedValues(options) as Record<string, unknown>;
  const logger = given.logger as Pick<Logger, 'warn'> | undefined;
  const resolved = { ...defaults, ...withoutAliases(given, ...specs.map((spec) => spec.aliases ?? {})) };
  for (const spec of specs) {
    const key = spec.key ?? 'retry';
    const fallback = defaults[key] as ResolvedRetryOptions;
    resolved[key] = resolveRetryOption(given, { ...spec, defaults: fallback, logger });
  }
  return resolved as R;
}

/** `options` without the deprecated names of `aliases`: what the resolved options keep. */
export function withoutAliases<T extends object>(options: T, ...aliases: RetryAliases[]): T {
  const names = new Set(aliases.flatMap((set) => Object.values(set)));
  return Object.fromEntries(Object.entries(options).filter(([key]) => !names.has(key))) as T;
}

/** Validate resolved retry options; `-1` becomes `Infinity` where retrying forever is allowed. */
function checked(resolved: ResolvedRetryOptions, paths: RetryPaths, rules: RetryRules): ResolvedRetryOptions {
  const { forever = false } = rules;
  if (forever !== false && resolved.limit === -1) resolved.limit = Number.POSITIVE_INFINITY;
  const infinite = resolved.limit === Number.POSITIVE_INFINITY;
  if (typeof forever === 'object') {
    if (!infinite) throw new ConfigError(paths.limit, `must be Infinity or -1: ${forever.only}`);
  } else if (forever && !infinite && !isIntegerIn(resolved.limit, 0)) {
    throw new ConfigError(
      paths.limit,
      'must be an integer ≥ 0, or Infinity or -1 to retry until it succeeds',
    );
  } else if (!forever && !isIntegerIn(resolved.limit, 0)) {
    throw new ConfigError(paths.limit, 'must be an integer ≥ 0');
  }
  requireInteger(resolved.baseMs, paths.baseMs, rules.minBaseMs ?? 0);
  const minName = paths.baseMs.slice(paths.baseMs.lastIndexOf('/') + 1);
  requireInteger(resolved.maxDelayMs, paths.maxDelayMs, resolved.baseMs, { minName });
  return resolved;
}
