/** `opensky-stream record`: its flags and help (the implementation, src/cli/run/record.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { logFlags } from '../options.ts';
import { sourceFlags } from '../source-flags.ts';

export const recordFlags = flags({ ...sourceFlags, ...logFlags });

export const recordCommand = defineCommand({
  command: 'record <file>',
  describe: 'Save snapshots from the API to an NDJSON file, for `produce --replay`',
  flags: recordFlags,
  help: (y) =>
    y
      .positional('file', { type: 'string', describe: 'NDJSON file to append to', demandOption: true })
      .example('$0 record flights.ndjson --max-snapshots 100 --interval 10s', '100 snapshots, 10 s apart'),
});
