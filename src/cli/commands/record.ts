import { createWriteStream } from 'node:fs';
import type { CommandModule } from 'yargs';
import type { LogLevel } from '../../logger.ts';
import { recordingLine } from '../../opensky/replay.ts';
import type { CommandFactory } from '../command.ts';
import { logOptions, parseDuration, sourceOptions } from '../options.ts';
import { cliLogger, ExitCode, shutdownSignal, startProgress } from '../runtime.ts';
import { resolveSource } from '../sources.ts';

export const recordCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'record <file>',
  describe: 'Save snapshots from the API to an NDJSON file, for `produce --replay`',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'NDJSON file to append to', demandOption: true })
      .options({ ...sourceOptions(env), ...logOptions(env) })
      .example('$0 record flights.ndjson --max-snapshots 100 --interval 10s', '100 snapshots, 10 s apart'),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'record');
    const { signal, dispose } = shutdownSignal(logger);
    const duration = parseDuration(argv.duration as string, 'duration');
    const stopAt = duration ? Date.now() + duration : Number.POSITIVE_INFINITY;
    const { source } = resolveSource(argv, env, logger, signal);
    const out = createWriteStream(String(argv.file), { flags: 'a' });
    let snapshots = 0;
    let states = 0;
    const progress = startProgress(() => ({ snapshots, states }), { logger });
    try {
      for await (const snapshot of source) {
        if (!out.write(`${recordingLine(snapshot)}\n`))
          await new Promise<void>((r) => out.once('drain', () => r()));
        snapshots++;
        states += snapshot.states.length;
        if (Date.now() >= stopAt) break;
      }
      exit.code = ExitCode.OK;
    } finally {
      progress.stop();
      await new Promise((r) => out.end(r));
      dispose();
      logger.info('done', { file: argv.file, snapshots, states });
    }
  },
});
