/**
 * The command table: every command's declaration (flags, help) is loaded for
 * `--help` and the docs; its implementation (src/cli/run/*) is imported only
 * when that command runs, so that `produce` never loads what `deploy` needs.
 */
import { type CommandFactory, lazyCommand } from './command.ts';
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
  lazyCommand(demoCommand, async () => (await import('./run/demo.ts')).runDemo),
  lazyCommand(produceCommand, async () => (await import('./run/produce.ts')).runProduce),
  lazyCommand(bridgeCommand, async () => (await import('./run/bridge.ts')).runBridge),
  lazyCommand(deployCommand, async () => (await import('./run/deploy.ts')).runDeploy),
  lazyCommand(invokeCommand, async () => (await import('./run/invoke.ts')).runInvoke),
  lazyCommand(logsCommand, async () => (await import('./run/logs.ts')).runLogs),
  lazyCommand(destroyCommand, async () => (await import('./run/destroy.ts')).runDestroy),
  lazyCommand(tailCommand, async () => (await import('./run/tail.ts')).runTail),
  lazyCommand(uiCommand, async () => (await import('./run/ui.ts')).runUi),
  lazyCommand(countCommand, async () => (await import('./run/count.ts')).runCount),
  lazyCommand(recordCommand, async () => (await import('./run/record.ts')).runRecord),
  lazyCommand(initCommand, async () => (await import('./run/init.ts')).runInit),
  stackCommand,
];

/** Commands whose first argument is a sub-command, and the sub-commands they have. */
export const subcommands: Readonly<Record<string, readonly string[]>> = { stack: stackSubcommands };
