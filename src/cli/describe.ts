/**
 * Every command's flags as data, read from the same yargs builders the CLI
 * runs, so that documentation generated from it (`npm run docs:config`
 * writes docs/configuration.md) cannot drift from `--help`.
 */
import type { CommandModule, Options } from 'yargs';
import type { CommandFactory } from './command.ts';
import { commands } from './commands.ts';
import { type DeclaredOption, FLAG } from './flags.ts';

/** One flag or positional argument of a command. */
export interface FlagDoc {
  /** `batch-size` for `--batch-size`, `dir` for `<dir>`. */
  name: string;
  positional: boolean;
  aliases: string[];
  type?: string;
  array: boolean;
  /** The environment variable that sets it (envOption's `[env NAME]`), if any. */
  env?: string;
  /** The built-in default (read with an empty environment), if any. */
  default?: unknown;
  /** The help text, without the `[env NAME]` suffix. */
  describe: string;
  choices?: readonly unknown[];
  /** The `--help` group, e.g. `Kafka:`; undefined for the plain `Options:`. */
  group?: string;
}

/** One command (or sub-command) and its flags, in definition order. */
export interface CommandDoc {
  /** The words that name it, e.g. `produce`, `init lambda`, `stack logs`. */
  name: string;
  /** As yargs declares it, with the parent's words: `init lambda <dir>`. */
  usage: string;
  describe: string;
  flags: FlagDoc[];
  examples: Array<{ command: string; description: string }>;
  subcommands: CommandDoc[];
}

const ENV_SUFFIX = / \[env ([A-Za-z0-9_]+)\]$/;

function flagDoc(name: string, spec: DeclaredOption, positional: boolean): FlagDoc {
  const text = typeof spec.describe === 'string' ? spec.describe : (spec.description ?? spec.desc ?? '');
  const env = ENV_SUFFIX.exec(String(text))?.[1];
  const alias = spec.alias;
  const doc: FlagDoc = {
    name,
    positional,
    aliases: alias === undefined ? [] : [alias].flat(),
    array: spec.array === true,
    describe: String(text).replace(ENV_SUFFIX, ''),
  };
  if (spec.type !== undefined) doc.type = spec.type;
  if (env !== undefined) doc.env = env;
  // A declared flag gives yargs no default (src/cli/flags.ts): its own is kept beside it.
  const fallback = spec.default ?? spec[FLAG]?.default;
  if (fallback !== undefined) doc.default = fallback;
  if (spec.choices !== undefined) doc.choices = [spec.choices].flat();
  if (spec.group !== undefined) doc.group = spec.group;
  return doc;
}

/** The words of a yargs command string that are not arguments: `init lambda <dir>` → `init lambda`. */
const commandWords = (usage: string) =>
  usage
    .split(/\s+/)
    .filter((word) => word !== '' && !/^[<[]/.test(word))
    .join(' ');

/**
 * Run a command's builder against a recorder that keeps what it declares
 * (flags, positionals, examples, sub-commands) and ignores the rest.
 */
function describeModule(module: CommandModule, parent: string): CommandDoc {
  const declared = [module.command ?? ''].flat()[0] ?? '';
  const usage = parent ? `${parent} ${declared}` : declared;
  const doc: CommandDoc = {
    name: commandWords(usage),
    usage,
    describe: typeof module.describe === 'string' ? module.describe : '',
    flags: [],
    examples: [],
    subcommands: [],
  };
  const flags = new Map<string, FlagDoc>();
  const addFlag = (name: string, spec: Options | undefined, positional: boolean) =>
    flags.set(name, flagDoc(name, spec ?? {}, positional));
  const recorder: object = new Proxy(
    {},
    {
      get(_target, property) {
        switch (property) {
          case 'option':
          case 'options':
            return (key: string | Record<string, Options>, spec?: Options) => {
              if (typeof key === 'string') addFlag(key, spec, false);
              else for (const [name, each] of Object.entries(key)) addFlag(name, each, false);
              return recorder;
            };
          case 'positional':
            return (name: string, spec?: Options) => {
              addFlag(name, spec, true);
              return recorder;
            };
          case 'example':
            return (command: string | Array<[string, string?]>, description?: string) => {
              const pairs = typeof command === 'string' ? [[command, description] as const] : command;
              for (const [each, text] of pairs) doc.examples.push({ command: each, description: text ?? '' });
              return recorder;
            };
          case 'command':
            return (sub: CommandModule | string, describe?: string) => {
              const child = typeof sub === 'string' ? { command: sub, describe: describe ?? '' } : sub;
              doc.subcommands.push(describeModule(child as CommandModule, doc.name));
              return recorder;
            };
          case 'then':
            return undefined; // not a thenable
          default:
            // Everything else a builder may chain (demandCommand, check, epilogue…) changes no flag.
            return typeof property === 'string' ? () => recorder : undefined;
        }
      },
    },
  );
  const { builder } = module;
  if (typeof builder === 'function') (builder as (y: unknown) => unknown)(recorder);
  else if (builder) for (const [name, spec] of Object.entries(builder)) addFlag(name, spec as Options, false);
  doc.flags = [...flags.values()];
  return doc;
}

/**
 * Every command of `factories` (default: the CLI's own) with its flags, built
 * with `env` as the environment: pass `{}` (the default) to read the built-in
 * defaults rather than the ones the current environment would set.
 */
export function describeCommands(
  factories: readonly CommandFactory[] = commands,
  env: NodeJS.ProcessEnv = {},
): CommandDoc[] {
  return factories.map((factory) => describeModule(factory({ ...env }, { code: 0 }), ''));
}
