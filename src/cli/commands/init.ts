/** `opensky-stream init lambda <dir>`: its flags; the implementation is src/cli/run/init.ts. */
import { declareCommand } from '../command.ts';
import { flags } from '../flags.ts';

export const initFlags = flags({
  force: { type: 'boolean', to: 'force', default: false, describe: 'Overwrite existing files' },
});

export const initCommand = declareCommand({
  command: 'init lambda <dir>',
  describe:
    'Generate a standalone Lambda handler project that imports opensky-stream (to customise the processing)',
  flags: initFlags,
  help: (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'Folder to create' }),
  load: async () => (await import('../run/init.ts')).runInit,
});
