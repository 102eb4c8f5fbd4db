import type { CommandModule } from 'yargs';
import { initLambdaProject } from '../../deploy/init.ts';
import type { CommandFactory } from '../command.ts';
import { ExitCode } from '../runtime.ts';

export const initCommand: CommandFactory = (_env, exit): CommandModule => ({
  command: 'init lambda <dir>',
  describe:
    'Generate a standalone Lambda handler project that imports opensky-stream (to customise the processing)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'Folder to create' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite existing files' }),
  handler: (argv) => {
    for (const file of initLambdaProject(String(argv.dir), { force: Boolean(argv.force) }))
      console.log(`created ${file}`);
    console.log(`\nnext: cd ${argv.dir} && npm install && npm run build`);
    exit.code = ExitCode.OK;
  },
});
