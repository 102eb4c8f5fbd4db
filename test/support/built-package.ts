/**
 * This checkout as an installed `opensky-stream` package: what package.json's "files" ships, with a
 * fresh `dist/` (the library entries with their declarations, and the CLI), built into
 * node_modules/.cache so the checkout's own dist/ is left alone. Tests link it into a user's
 * project (`node_modules/opensky-stream`) to run that project as shipped. Its dependencies
 * resolve from the checkout's node_modules, the parent of the cache folder.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Options } from 'tsup';
import config from '../../tsup.config.ts';

const root = resolve(import.meta.dirname, '../..');

/** Build the package into `node_modules/.cache/<name>` and return its folder. */
export async function buildPackage(name: string, entries: readonly string[] = ['index', 'lambda']) {
  const dir = join(root, 'node_modules', '.cache', name);
  rmSync(dir, { recursive: true, force: true });
  const [library, cli] = config as Options[];
  const entry = Object.fromEntries(
    Object.entries(library!.entry as Record<string, string>).filter(([key]) => entries.includes(key)),
  );
  const outDir = join(dir, 'dist');
  await build({ ...library, entry, format: ['esm'], sourcemap: false, outDir, silent: true, config: false });
  await build({
    ...cli,
    entry: { cli: 'src/cli/main.ts' },
    sourcemap: false,
    outDir,
    silent: true,
    config: false,
  });
  // What `npm pack` ships besides dist/ (package.json "files"), as it is in this checkout.
  const { files } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
  for (const path of ['package.json', ...files.filter((file) => file !== 'dist')])
    cpSync(join(root, path), join(dir, path), { recursive: true });
  return dir;
}

/**
 * Install `pkg` into `project` as a link, with the checkout's typescript, esbuild and
 * @types/node beside it and their commands in node_modules/.bin, as `npm install` would.
 */
export function linkInto(project: string, pkg: string): void {
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  mkdirSync(join(modules, '@types'), { recursive: true });
  const link = (target: string, path: string) => symlinkSync(target, join(modules, path));
  link(pkg, 'opensky-stream');
  link(join(pkg, 'bin', 'opensky-stream.js'), '.bin/opensky-stream');
  for (const [module, bin] of [
    ['typescript', 'bin/tsc'],
    ['esbuild', 'bin/esbuild'],
  ] as const) {
    link(join(root, 'node_modules', module), module);
    link(join(root, 'node_modules', module, bin), `.bin/${bin.slice(4)}`);
  }
  link(join(root, 'node_modules', '@types', 'node'), '@types/node');
}
