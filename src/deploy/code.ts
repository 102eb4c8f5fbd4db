/**
 * Your code as a deployment package (`deploy --code PATH`): a .zip as it is,
 * a directory zipped as it is (its files at the zip's root, as Lambda expects),
 * or one .js / .mjs / .cjs file zipped under its own name; and the handler
 * setting that goes with it.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { ConfigError } from '../errors.ts';
import { type PackageFiles, zipPackage } from './zip.ts';

/** A deployment package and its default handler. */
export interface CodePackage {
  zip: Uint8Array;
  /** `file.handler` for the package's entry module, when one could be told (index.* first). */
  handler: string | undefined;
  /** The files in the package, for checks and messages. */
  files: string[];
}

const MODULE = /\.(mjs|cjs|js)$/;

/** The handler of a package's files: `index.{mjs,js,cjs}` first, else its one module at the root. */
export function defaultHandler(files: readonly string[]): string | undefined {
  const root = files.filter((file) => !file.includes('/') && MODULE.test(file));
  const entry =
    ['index.mjs', 'index.js', 'index.cjs'].find((file) => root.includes(file)) ??
    (root.length === 1 ? root[0] : undefined);
  return entry === undefined ? undefined : `${entry.replace(MODULE, '')}.handler`;
}

/**
 * Why `handler` names no module of `files` (a Node.js handler `dir/file.export`
 * needs `dir/file.mjs`, `.js` or `.cjs`), or `undefined` when it does.
 */
export function missingHandlerModule(handler: string, files: readonly string[]): string | undefined {
  const dot = handler.lastIndexOf('.');
  const module = handler.slice(0, dot);
  const candidates = ['.mjs', '.js', '.cjs'].map((ext) => `${module}${ext}`);
  if (candidates.some((file) => files.includes(file))) return undefined;
  return `names ${module}.{mjs,js,cjs}, which the package does not have (it has ${files.slice(0, 8).join(', ')}${files.length > 8 ? ', …' : ''})`;
}

function directoryFiles(dir: string): PackageFiles {
  const files: PackageFiles = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    // statSync follows symlinks (node_modules/.bin and workspaces use them): the zip holds what they point to.
    if (!statSync(path).isFile()) continue;
    files[relative(dir, path).split(sep).join('/')] = readFileSync(path);
  }
  return files;
}

/** Build the deployment package of `path`; {@link ConfigError} naming `flag` when it is none of the three kinds. */
export function codePackage(path: string, flag = '--code'): CodePackage {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    throw new ConfigError(flag, `${path} does not exist`);
  }
  if (stats.isDirectory()) {
    const files = directoryFiles(path);
    const names = Object.keys(files).sort();
    if (names.length === 0) throw new ConfigError(flag, `${path} is an empty directory`);
    return { zip: zipPackage(files), handler: defaultHandler(names), files: names };
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.zip') {
    const zip = new Uint8Array(readFileSync(path));
    let names: string[];
    try {
      names = Object.keys(unzipSync(zip))
        .filter((name) => !name.endsWith('/'))
        .sort();
    } catch (error) {
      throw new ConfigError(flag, `${path} is not a readable zip file (${(error as Error).message})`);
    }
    return { zip, handler: defaultHandler(names), files: names };
  }
  if (MODULE.test(path)) {
    const name = basename(path);
    return {
      zip: zipPackage({ [name]: readFileSync(path) }),
      handler: defaultHandler([name]),
      files: [name],
    };
  }
  throw new ConfigError(flag, `must be a .zip, a directory, or one .js, .mjs or .cjs file (got ${path})`);
}
