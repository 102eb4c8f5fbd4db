/** `opensky-stream record`, run (flags: src/cli/commands/record.ts). */
import { createWriteStream } from 'node:fs';
import { recordingLine } from '../../opensky/replay.ts';
import type { CommandRun } from '../command.ts';
import type { recordFlags } from '../commands/record.ts';
import { cliLogger, ExitCode, shutdownSignal, startProgress } from '../runtime.ts';
import { resolveSource } from '../sources.ts';

export const runRecord: CommandRun<typeof recordFlags> = async (o, { env, argv }) => {
  const file = String(argv.file);
  const logger = cliLogger(o.logLevel, 'record');
  const { signal, dispose } = shutdownSignal(logger);
  const stopAt = o.durationMs ? Date.now() + o.durationMs : Number.POSITIVE_INFINITY;
  const { source } = resolveSource(o.source, env, logger, signal);
  const out = createWriteStream(file, { flags: 'a' });
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
    return ExitCode.OK;
  } finally {
    progress.stop();
    await new Promise((r) => out.end(r));
    dispose();
    logger.info('done', { file, snapshots, states });
  }
};
