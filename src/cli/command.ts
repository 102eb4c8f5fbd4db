/**
 * What a CLI command is: a declaration (its flags, help and examples), light
 * enough that every command's is loaded for `--help` and the docs, and an
 * implementation imported only when the command runs. Its own module, so
 * that commands and main.ts do not import each other.
 */
import type { Argv, CommandModule } from 'yargs';
import { type FlagTable, type FlagValues, readFlags, yargsOptions } from './flags.ts';
import { ExitCode } from './runtime.ts';

/** A command's handler reports its exit code through this box. */
export interface ExitBox {
  code: number;
}

export type CommandFactory = (env: NodeJS.ProcessEnv, exit: ExitBox) => CommandModule;

/** What a command's implementation gets besides its options. */
export interface CommandContext {
  /** The environment the CLI runs in (the demo points it at the stack it starts). */
  env: NodeJS.ProcessEnv;
  /** Parsed argv, for positionals (flags come typed in the options). */
  argv: Readonly<Record<string, unknown>>;
}

/** A command's implementation: resolves to its exit code (undefined: 0). */
export type CommandRun<T extends FlagTable> = (
  options: FlagValues<T>,
  context: CommandContext,
) => Promise<number | undefined> | number | undefined;

export interface CommandDeclaration<T extends FlagTable> {
  /** As yargs declares it: `record <file>`. */
  command: string;
  describe: string;
  flags: T;
  /** Positionals, examples, epilogue, conflicts: what `--help` shows beyond the flags. */
  help?: (y: Argv) => Argv;
}

/** Declare a command, keeping its flags' literal types (for {@link CommandRun}). */
export const defineCommand = <const T extends FlagTable>(declaration: CommandDeclaration<T>) => declaration;

/**
 * A command from its declaration and its implementation's loader: yargs gets
 * the flags (with their variables and defaults for `--help`); the handler
 * reads them into typed options (flag, else variable, else default: a bad
 * value exits 2 before anything is loaded) and only then calls `load` (a
 * dynamic import) and runs the implementation.
 */
export function lazyCommand<const T extends FlagTable>(
  declaration: CommandDeclaration<T>,
  load: () => Promise<CommandRun<T>>,
): CommandFactory {
  return (env, exit) => ({
    command: declaration.command,
    describe: declaration.describe,
    builder: (y) => (declaration.help?.(y) ?? y).options(yargsOptions(declaration.flags, env)),
    handler: async (argv) => {
      const options = readFlags(declaration.flags, argv, env);
      const run = await load();
      exit.code = (await run(options, { env, argv })) ?? ExitCode.OK;
    },
  });
}
