/**
 * What a CLI command is: a factory of a yargs command module that reports its
 * exit code through a box. Its own module, so that commands and main.ts do
 * not import each other.
 */
import type { CommandModule } from 'yargs';

/** A command's handler reports its exit code through this box. */
export interface ExitBox {
  code: number;
}

export type CommandFactory = (env: NodeJS.ProcessEnv, exit: ExitBox) => CommandModule;
