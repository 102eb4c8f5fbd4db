import type { CommandFactory } from './command.ts';
import { bridgeCommand } from './commands/bridge.ts';
import { countCommand } from './commands/count.ts';
import { demoCommand } from './commands/demo.ts';
import { deployCommand } from './commands/deploy.ts';
import { destroyCommand } from './commands/destroy.ts';
import { initCommand } from './commands/init.ts';
import { invokeCommand } from './commands/invoke.ts';
import { logsCommand } from './commands/logs.ts';
import { produceCommand } from './commands/produce.ts';
import { recordCommand } from './commands/record.ts';
import { stackCommand, stackSubcommands } from './commands/stack.ts';
import { tailCommand } from './commands/tail.ts';
import { uiCommand } from './commands/ui.ts';

/** Every `opensky-stream` command, in the order `--help` lists them. */
export const commands: CommandFactory[] = [
  demoCommand,
  produceCommand,
  bridgeCommand,
  deployCommand,
  invokeCommand,
  logsCommand,
  destroyCommand,
  tailCommand,
  uiCommand,
  countCommand,
  recordCommand,
  initCommand,
  stackCommand,
];

/** Commands whose first argument is a sub-command, and the sub-commands they have. */
export const subcommands: Readonly<Record<string, readonly string[]>> = { stack: stackSubcommands };
