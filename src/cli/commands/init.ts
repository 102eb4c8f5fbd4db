/** `opensky-stream init lambda <dir>`: its flags (the implementation, src/cli/run/init.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';

export const initFlags = flags({
  force: { type: 'boolean', to: 'force', default: false, describe: 'Overwrite existing files' },
});

export const initCommand = defineCommand({
  command: 'init lambda <dir>',
  describe:
    'Generate a standalone Lambda handler project that imports opensky-stream (to customise the processing)',
  flags: initFlags,
  help: (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'Folder to create' }),
});
