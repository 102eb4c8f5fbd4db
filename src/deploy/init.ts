/**
 * `opensky-stream init lambda <dir>`: a standalone handler project from the template.
 *
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { packageRoot } from '../util/package-root.ts';

/** The template's name for this package, in its package.json's dependencies. */
const PACKAGE = 'opensky-stream';

/**
 * Write the template project into `dir`. Refuses to overwrite files unless `force`. Returns the files written.
 * The project's dependency on opensky-stream is pinned to the version writing it: the template's
 * handler, README and scripts describe this version's API and CLI, which a later major may change.
 */
export function initLambdaProject(dir: string, options: { force?: boolean } = {}): string[] {
  const root = packageRoot();
  const template = join(root, 'lambda-template', 'project');
  const files = readdirSync(template);
  const clashes = files.filter((file) => existsSync(join(dir, file)));
  if (clashes.length && !options.force) {
    throw new ConfigError('<dir>', `${dir} already has ${clashes.join(', ')} (use --force to overwrite)`);
  }
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    if (file === 'package.json') writeFileSync(join(dir, file), pinnedManifest(join(template, file), root));
    else copyFileSync(join(template, file), join(dir, file));
  }
  return files.map((file) => join(dir, file));
}

/** The template's package.json with its opensky-stream dependency set to this package's version. */
function pinnedManifest(templateManifest: string, root: string): string {
  const manifest = JSON.parse(readFileSync(templateManifest, 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  manifest.dependencies = { ...manifest.dependencies, [PACKAGE]: version };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
