/**
 * `opensky-stream`: the CLI over the library's primitives.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { commands } from './commands.ts';
import { checkNumbers } from './options.ts';
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

/** A command's handler reports its exit code through this box. */
export interface ExitBox {
  code: number;
}

export type CommandFactory = (env: NodeJS.ProcessEnv, exit: ExitBox) => CommandModule;

/** Run the CLI with `argv` (without `node` and the script). Resolves to the process exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const exit: ExitBox = { code: ExitCode.OK };
  let parser: Argv = yargs(argv)
    .scriptName('opensky-stream')
    .usage('$0 <command> [options]\n\nReal-time flight data: OpenSky Network → Kafka → AWS Lambda → SNS.')
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'Name a command (see the list above).')
    .check(checkNumbers)
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
  for (const factory of commands) parser = parser.command(factory(env, exit));
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
