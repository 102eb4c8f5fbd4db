/**
 * `opensky-stream`: the CLI over the library's primitives.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv, type CommandModule } from 'yargs';
import type { ExitBox } from './command.ts';
import { commands, subcommands } from './commands.ts';
import { joinNegativeValues } from './options.ts';
import { describeFailure, ExitCode } from './runtime.ts';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A flag yargs itself rejected (unknown, missing, not one of the choices). */
class UsageError extends Error {}

export type { CommandFactory, ExitBox } from './command.ts';

/** Levenshtein distance, for "did you mean" (command names are short). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

function didYouMean(word: string, known: readonly string[]): string {
  const close = known.find((name) => name.toLowerCase() === word.toLowerCase() || distance(name, word) <= 2);
  return close === undefined ? '' : ` Did you mean '${close}'?`;
}

/**
 * A usage error when `argv` names a command (or a sub-command) that does not
 * exist. yargs would print the general help and exit 0 for `nope --help`, and
 * say "Unknown argument" otherwise; a typo deserves a clear answer and exit 2.
 */
export function unknownCommand(
  argv: readonly string[],
  modules: readonly CommandModule[],
): string | undefined {
  const words = new Map<string, readonly string[]>();
  for (const module of modules) {
    const [name = '', ...rest] = String(
      Array.isArray(module.command) ? module.command[0] : module.command,
    ).split(/\s+/);
    // Literal words after the name (`init lambda <dir>`), else the sub-commands it declares.
    const literal = rest.filter((word) => !/^[<[]/.test(word));
    words.set(name, literal.length > 0 ? literal : (subcommands[name] ?? []));
  }
  const [command, next] = argv;
  if (command === undefined || command.startsWith('-') || command === 'help') return undefined;
  const known = [...words.keys()];
  const expected = words.get(command);
  if (expected === undefined) {
    return `Unknown command '${command}'.${didYouMean(command, known)} Commands: ${known.join(', ')}.`;
  }
  if (expected.length > 0 && next !== undefined && !next.startsWith('-') && !expected.includes(next)) {
    return `Unknown ${command} command '${next}'.${didYouMean(next, expected)} Commands: ${expected.join(', ')}.`;
  }
  return undefined;
}

/** Run the CLI with `argv` (without `node` and the script). Resolves to the process exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const exit: ExitBox = { code: ExitCode.OK };
  let parser: Argv = yargs(joinNegativeValues(argv))
    .scriptName('opensky-stream')
    .usage('$0 <command> [options]\n\nReal-time flight data: OpenSky Network → Kafka → AWS Lambda → SNS.')
    .version(packageVersion())
    .strict()
    .recommendCommands()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .epilogue(
      [
        'Every flag can also be set through the environment variable shown beside it.',
        'Exit codes: 0 done or stopped gracefully, 1 runtime failure, 2 bad flags or configuration,',
        '3 finished but some records could not be delivered, 130 forced stop (second SIGINT).',
        'Docs: https://github.com/opensky-stream/opensky-stream#readme',
      ].join('\n'),
    )
    .fail((message, error) => {
      if (error) throw error;
      // Throw, so that yargs stops here: returning would let it run the command anyway.
      throw new UsageError(message);
    });
  const modules = commands.map((factory) => factory(env, exit));
  const names = modules.map((module) => String([module.command].flat()[0]).split(/\s+/)[0]);
  // Without a command yargs prints this line alone (no usage above it): it lists them itself.
  parser = parser.demandCommand(1, `Name a command: ${names.join(', ')}.`);
  const unknown = unknownCommand(argv, modules);
  if (unknown !== undefined) {
    process.stderr.write(`${unknown}\n\nRun with --help for usage.\n`);
    return ExitCode.USAGE;
  }
  for (const module of modules) parser = parser.command(module);
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\nRun with --help for usage.\n`);
      return ExitCode.USAGE;
    }
    const failure = describeFailure(error);
    process.stderr.write(`opensky-stream: ${failure.message}\n`);
    return failure.code;
  }
  return exit.code;
}
