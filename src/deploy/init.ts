/**
 * `opensky-stream init lambda <dir>`: a standalone handler project from the template.
 *
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { packageRoot } from './bundle.ts';

/** Write the template project into `dir`. Refuses to overwrite files unless `force`. Returns the files written. */
export function initLambdaProject(dir: string, options: { force?: boolean } = {}): string[] {
  const template = join(packageRoot(), 'lambda-template', 'project');
  const files = readdirSync(template);
  const clashes = files.filter((file) => existsSync(join(dir, file)));
  if (clashes.length && !options.force) {
    throw new ConfigError('<dir>', `${dir} already has ${clashes.join(', ')} (use --force to overwrite)`);
  }
  mkdirSync(dir, { recursive: true });
  for (const file of files) copyFileSync(join(template, file), join(dir, file));
  return files.map((file) => join(dir, file));
}
