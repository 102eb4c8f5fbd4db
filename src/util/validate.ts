/**
 * The checks every `resolve…Options()` shares: one definition of "an integer
 * in a range" and of the error that names the option, so the primitives'
 * options files say only what differs (the path and the bounds).
 *
 * @module
 */
import { ConfigError } from '../errors.ts';

/** Whether `value` is an integer from `min` to `max` (both included). */
export function isIntegerIn(
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Throw {@link ConfigError} at `path` unless `value` is an integer ≥ `min`
 * (and ≤ `max` when given). The message says the range: `must be an integer ≥ 1`,
 * `must be an integer from 1 to 10000`; `minName` names a bound that is another
 * option (`must be an integer ≥ retryBaseMs`).
 */
export function requireInteger(
  value: unknown,
  path: string,
  min: number,
  options: { max?: number; minName?: string; unit?: string } = {},
): asserts value is number {
  if (isIntegerIn(value, min, options.max)) return;
  const range =
    options.max === undefined
      ? `≥ ${options.minName ?? min}`
      : `from ${options.minName ?? min} to ${options.max}`;
  throw new ConfigError(path, `must be an integer ${range}${options.unit ? ` (${options.unit})` : ''}`);
}

/** Throw {@link ConfigError} at `path` unless `value` is a function (or `undefined` when `optional`). */
export function requireFunction(value: unknown, path: string, optional = true): void {
  if ((optional && value === undefined) || typeof value === 'function') return;
  throw new ConfigError(path, 'must be a function');
}

/** Throw {@link ConfigError} at `path` unless `value` is a boolean. */
export function requireBoolean(value: unknown, path: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new ConfigError(path, 'must be a boolean');
}

/** The defined values of `options`: what a `resolve…Options()` overlays on its defaults. */
export function definedValues<T extends object>(options: T): Partial<T> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
