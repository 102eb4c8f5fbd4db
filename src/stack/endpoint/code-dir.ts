/**
 * Where the local AWS endpoint unpacks a function's code, and the unpacking.
 *
 * On AWS the zip is unpacked to /var/task, with no package.json and no
 * node_modules above it. Node reads the nearest package.json up the tree to
 * decide whether a `.js` file is CommonJS or an ES module, and looks for bare
 * imports in every node_modules up the tree. Unpacked inside a checkout of
 * this project (whose package.json says `"type": "module"`), a CommonJS
 * `index.js` (esbuild's and SAM's usual output) failed every Invoke with
 * "module is not defined in ES module scope", and a function could import
 * this project's dependencies, which it would not find on AWS.
 *
 * So code lives in a directory of its own, outside any package: one per
 * stack (keyed by its run directory) under the cache, which outlives a
 * restart of the endpoint and is not aged by temp-file cleaners; when that
 * place has a package.json or node_modules above it (a cache set inside a
 * project, a package.json in the home folder), under the OS temp directory
 * instead. The run directory keeps the registry and the function logs.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';

/** A short, stable name for the stack that owns `runDir` (its code directories stay apart). */
export function runDirKey(runDir: string): string {
  return createHash('sha256').update(resolve(runDir)).digest('hex').slice(0, 16);
}

/**
 * The first package.json or node_modules in `dir` or above it: what would
 * leak into code unpacked there (module type, dependencies). `undefined` when
 * none does, as for /var/task.
 */
export function leakingAncestor(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    for (const name of ['package.json', 'node_modules']) {
      const candidate = join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The fallback under the OS temp directory: per user, so no one else can plant code there. */
export function tempCodeRoot(runDir: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `opensky-stream-lambda-code-${uid}`, runDirKey(runDir));
}

/** Where code goes, and why it is not where it was asked to go (for the log). */
export interface CodeRoot {
  dir: string;
  /** Set when `wanted` had a package.json or node_modules above it and the temp directory is used. */
  fallbackReason?: string;
}

/**
 * The code root: `wanted` (the stack passes one under its cache) unless
 * something above it would leak into the functions, else the per-user
 * directory under the OS temp directory. Creates it.
 */
export function chooseCodeRoot(wanted: string | undefined, runDir: string): CodeRoot {
  const fallback = tempCodeRoot(runDir);
  let fallbackReason: string | undefined;
  if (wanted) {
    const leak = leakingAncestor(wanted);
    if (!leak) {
      mkdirSync(wanted, { recursive: true });
      return { dir: resolve(wanted) };
    }
    fallbackReason = `${leak} would apply to code unpacked under ${wanted}`;
  }
  const userDir = dirname(fallback);
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  // The temp directory is shared: the folder must be ours and not a link planted by someone else.
  const stat = lstatSync(userDir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
  if (!stat.isDirectory() || stat.uid !== uid) {
    throw new Error(`${userDir} is not a directory of this user: cannot unpack Lambda code there`);
  }
  mkdirSync(fallback, { recursive: true });
  return { dir: fallback, ...(fallbackReason ? { fallbackReason } : {}) };
}

/** The directory of one version of a function's code: `<root>/<name>/<CodeSha256, path-safe>`. */
export const codeDirOf = (root: string, name: string, codeSha256: string): string =>
  join(root, name, codeSha256.replace(/[^A-Za-z0-9]/g, '_'));

/**
 * Unpack a deployment package into `codeDir` (once: the same CodeSha256 is the
 * same code). Entries are written to a staging folder renamed into place, so a
 * crash never leaves half a package; an entry pointing outside is refused.
 */
export function unpack(zip: Uint8Array, codeDir: string): void {
  if (existsSync(codeDir)) return;
  const staging = `${codeDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const root = resolve(staging);
  for (const [path, data] of Object.entries(unzipSync(zip))) {
    if (path.endsWith('/')) continue;
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new Error(`zip entry outside the package: ${path}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  mkdirSync(root, { recursive: true });
  renameSync(staging, codeDir);
}

/**
 * Remove the code of functions the registry no longer holds (deleted while
 * the endpoint was down, or a run directory that was wiped): the code root
 * outlives the run directory. Published versions of a known function keep
 * their older code folders.
 */
export function pruneCode(root: string, known: ReadonlySet<string>): string[] {
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(root)) {
    if (known.has(name)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
