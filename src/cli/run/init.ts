/** `opensky-stream init lambda <dir>`, run (flags: src/cli/commands/init.ts). */
import { initLambdaProject } from '../../deploy/init.ts';
import type { CommandRun } from '../command.ts';
import type { initFlags } from '../commands/init.ts';
import { ExitCode } from '../runtime.ts';

export const runInit: CommandRun<typeof initFlags> = (o, { argv }) => {
  const dir = String(argv.dir);
  for (const file of initLambdaProject(dir, { force: o.force })) console.log(`created ${file}`);
  console.log(`\nnext: cd ${dir} && npm install && npm run build`);
  return ExitCode.OK;
};
