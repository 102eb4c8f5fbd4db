/**
 * A CLI flag declared once: what `--help` shows, the environment variable
 * that sets it, the option path it feeds and how its text is parsed. From a
 * table of them, {@link yargsOptions} builds what yargs parses and prints, and
 * {@link readFlags} (the one place argv becomes options) returns typed
 * options, so that no command reads `argv` or casts its values.
 *
 * Precedence: the flag, else its environment variable, else its default.
 * yargs is given no default (only the text `--help` shows for it), so a value
 * in argv is always one given on the command line, and an error can say
 * where a bad value came from.
 */
import type { Options } from 'yargs';
import { ConfigError } from '../errors.ts';

type Scalar = string | number | boolean;

/** One flag. */
export interface FlagSpec {
  type: 'string' | 'number' | 'boolean';
  /** The help text (the variable is appended as `[env NAME]`). */
  describe: string;
  /** Where the value goes in {@link readFlags}' result: `'sink.topic'` → `options.sink.topic`. */
  to: string;
  /** The environment variable that sets it when the flag is not given. */
  env?: string;
  /** An older variable read when {@link env} is unset (kept working, not shown). */
  legacyEnv?: string;
  /** The built-in default, before parsing (`'3s'`, parsed like a given value). */
  default?: Scalar;
  /** What `--help` shows as the default when it is not a value (`'<topic>-dlq'`). */
  defaultText?: string;
  choices?: readonly string[];
  group?: string;
  alias?: string;
  array?: boolean;
  /** Turns the value (flag, variable or default) into the option; throws `ConfigError('--flag', …)`. */
  parse?: (value: never, flag: string) => unknown;
}

/** A command's flags by name (`batch-size` for `--batch-size`). */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type RawValue<F> = F extends { choices: readonly (infer C)[] }
  ? C
  : F extends { type: 'number' }
    ? number
    : F extends { type: 'boolean' }
      ? boolean
      : string;
type Parsed<F> = F extends { parse: (...args: never[]) => infer R }
  ? R
  : F extends { array: true }
    ? RawValue<F>[]
    : RawValue<F>;
/** The value a flag gives: never `undefined` when it has a default. */
export type FlagValue<F> = F extends { default: Scalar }
  ? Exclude<Parsed<F>, undefined>
  : Parsed<F> | undefined;

type Nest<P extends string, V> = P extends `${infer Head}.${infer Rest}`
  ? { [K in Head]: Nest<Rest, V> }
  : { [K in P]: V };
type Intersect<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** {@link readFlags}' result for a table: each flag's value at its `to` path. */
export type FlagValues<T extends FlagTable> = Intersect<
  { [K in keyof T]: Nest<T[K]['to'], FlagValue<T[K]>> }[keyof T]
>;

/** Declare a table, keeping its literal types (for {@link FlagValues}). */
export const flags = <const T extends FlagTable>(table: T): T => table;

/** Marks the yargs options built here, so that docs can read the flag behind them (src/cli/describe.ts). */
export const FLAG = Symbol('opensky-stream flag');

/** A yargs option built from a flag, with the flag and its effective default for the docs. */
export type DeclaredOption = Options & { [FLAG]?: { spec: FlagSpec; default: Scalar | undefined } };

type Env = NodeJS.ProcessEnv;

/** The variable's text for a flag, when set and not empty. */
function envText(spec: FlagSpec, env: Env): { name: string; text: string } | undefined {
  for (const name of [spec.env, spec.legacyEnv]) {
    const text = name === undefined ? undefined : env[name];
    if (name !== undefined && text !== undefined && text !== '') return { name, text };
  }
  return undefined;
}

/** A variable's text as the flag's type: booleans are 1/true/yes (any case), anything else false. */
function fromText(spec: FlagSpec, text: string): Scalar {
  if (spec.type === 'number') return text.trim() === '' ? Number.NaN : Number(text);
  if (spec.type === 'boolean') return /^(1|true|yes)$/i.test(text);
  return text;
}

/** What yargs prints for a default (its own format: strings in quotes). */
const defaultString = (value: Scalar) => (typeof value === 'string' ? `"${value}"` : String(value));

/** The yargs options of a table: help text with the variable and the default, and nothing yargs would default. */
export function yargsOptions(table: FlagTable, env: Env): Record<string, DeclaredOption> {
  const out: Record<string, DeclaredOption> = {};
  for (const [name, spec] of Object.entries(table)) {
    const fromEnv = envText(spec, env);
    const option: DeclaredOption = {
      type: spec.type,
      describe: spec.env ? `${spec.describe} [env ${spec.env}]` : spec.describe,
      [FLAG]: { spec, default: fromEnv ? fromText(spec, fromEnv.text) : spec.default },
    };
    if (spec.choices) option.choices = [...spec.choices];
    if (spec.group) option.group = spec.group;
    if (spec.alias) option.alias = spec.alias;
    if (spec.array) option.array = true;
    if (fromEnv) option.defaultDescription = `$${fromEnv.name} (${fromEnv.text})`;
    else if (spec.defaultText !== undefined) option.defaultDescription = spec.defaultText;
    else if (spec.default !== undefined) option.defaultDescription = defaultString(spec.default);
    out[name] = option;
  }
  return out;
}

/** Where a flag's value came from, as an error should name it: `--interval`, or `$OPENSKY_INTERVAL (--interval)`. */
function origin(flag: string, variable: string | undefined): string {
  return variable === undefined ? `--${flag}` : `$${variable} (--${flag})`;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

/**
 * Turn parsed argv into the table's options: each flag's value (given, else
 * its variable, else its default), checked (a number that is not one, a
 * variable's value outside the choices) and parsed, at its `to` path.
 * Throws a `ConfigError` naming the flag, and the variable when the value
 * came from it.
 */
export function readFlags<const T extends FlagTable>(
  table: T,
  argv: Readonly<Record<string, unknown>>,
  env: Env,
): FlagValues<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    // An empty value (`--endpoint-url ''`) counts as not given, as an empty variable does.
    const given = argv[name] === '' ? undefined : argv[name];
    const fromEnv = given === undefined ? envText(spec, env) : undefined;
    const value = given ?? (fromEnv ? fromText(spec, fromEnv.text) : spec.default);
    const where = origin(name, fromEnv?.name);
    if (spec.type === 'number' && [value].flat().some((each) => Number.isNaN(each)))
      throw new ConfigError(where, 'must be a number');
    // yargs checks the choices of a given flag; a variable's value is checked here.
    if (fromEnv && spec.choices && !spec.choices.includes(String(value)))
      throw new ConfigError(where, `must be one of ${spec.choices.join(', ')} (got '${fromEnv.text}')`);
    let option: unknown = value;
    if (spec.parse && value !== undefined) {
      try {
        option = (spec.parse as (value: unknown, flag: string) => unknown)(value, name);
      } catch (error) {
        // The parser names the flag; a value from the environment is named by its variable too.
        if (fromEnv && error instanceof ConfigError && error.path === `--${name}`)
          throw new ConfigError(where, error.message.slice(error.path.length + 1), { cause: error });
        throw error;
      }
    }
    setPath(out, spec.to, option);
  }
  return out as FlagValues<T>;
}
