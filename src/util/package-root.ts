/**
 * The package's root folder, found from the running module: the same answer
 * from the sources (src/…) and from the build (dist/…, ESM or CommonJS), in a
 * checkout and in an installed package. Deploy (the Lambda bundle), `init`,
 * the stack and the UI find their files from it.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

/** The package's root folder (holds package.json), from src/… or dist. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new ConfigError('package root', 'could not find package.json above this module');
    dir = parent;
  }
  return dir;
}
