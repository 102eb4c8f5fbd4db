import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { zipPackage } from '../../src/deploy/index.ts';
import {
  chooseCodeRoot,
  codeDirOf,
  leakingAncestor,
  pruneCode,
  runDirKey,
  tempCodeRoot,
  unpack,
} from '../../src/stack/endpoint/code-dir.ts';

describe('where the local Lambda endpoint unpacks function code', () => {
  const made: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'oss-code-dir-'));
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds a package.json or node_modules above a folder, the nearest first', () => {
    const root = scratch();
    const deep = join(root, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    expect(leakingAncestor(deep)).toBeUndefined();
    mkdirSync(join(root, 'node_modules'));
    expect(leakingAncestor(deep)).toBe(join(root, 'node_modules'));
    writeFileSync(join(root, 'a', 'package.json'), '{"type":"module"}');
    expect(leakingAncestor(deep)).toBe(join(root, 'a', 'package.json'));
  });

  it('uses the wanted folder when nothing above it leaks into the code', () => {
    const root = scratch();
    const wanted = join(root, 'lambda-code', 'stack');
    expect(chooseCodeRoot(wanted, '/some/run/dir')).toEqual({ dir: wanted });
    expect(existsSync(wanted)).toBe(true);
  });

  it("falls back to the user's folder under the temp directory when a package.json is above the wanted one", () => {
    const project = scratch();
    writeFileSync(join(project, 'package.json'), '{"type":"module"}');
    const runDir = join(project, '.stack');
    const wanted = join(project, '.cache', 'lambda-code');
    const chosen = chooseCodeRoot(wanted, runDir);
    made.push(chosen.dir);
    expect(chosen.dir).toBe(tempCodeRoot(runDir));
    expect(chosen.fallbackReason).toContain(join(project, 'package.json'));
    expect(existsSync(wanted)).toBe(false);
    expect(existsSync(chosen.dir)).toBe(true);
  });

  it('keys code folders by run directory, and names versions by CodeSha256 in path-safe characters', () => {
    expect(runDirKey('/a/run')).toBe(runDirKey('/a/run/'));
    expect(runDirKey('/a/run')).not.toBe(runDirKey('/b/run'));
    expect(runDirKey('/a/run')).toMatch(/^[0-9a-f]{16}$/);
    expect(codeDirOf('/root', 'fn', 'ab+c/d=')).toBe(join('/root', 'fn', 'ab_c_d_'));
  });

  it('unpacks a deployment package once, and refuses an entry outside the folder', () => {
    const root = scratch();
    const target = join(root, 'fn', 'sha');
    unpack(zipPackage({ 'index.js': 'exports.handler = 1;', 'src/app.js': '// app' }), target);
    expect(readFileSync(join(target, 'index.js'), 'utf8')).toBe('exports.handler = 1;');
    expect(readFileSync(join(target, 'src', 'app.js'), 'utf8')).toBe('// app');
    // The same CodeSha256 is the same code: a second unpack leaves the folder as it is.
    unpack(zipPackage({ 'index.js': 'other' }), target);
    expect(readFileSync(join(target, 'index.js'), 'utf8')).toBe('exports.handler = 1;');

    const evil = join(root, 'evil', 'sha');
    expect(() => unpack(zipPackage({ '../../outside.js': 'x' }), evil)).toThrow(/outside the package/);
    expect(existsSync(join(root, 'outside.js'))).toBe(false);
    expect(existsSync(evil)).toBe(false);
  });

  it('prunes the code of functions no longer registered, keeping every version of the others', () => {
    const root = scratch();
    for (const dir of ['kept/v1', 'kept/v2', 'gone/v1']) mkdirSync(join(root, dir), { recursive: true });
    expect(pruneCode(root, new Set(['kept']))).toEqual(['gone']);
    expect(existsSync(join(root, 'kept', 'v1'))).toBe(true);
    expect(existsSync(join(root, 'kept', 'v2'))).toBe(true);
    expect(existsSync(join(root, 'gone'))).toBe(false);
    expect(pruneCode(join(root, 'missing'), new Set())).toEqual([]);
  });
});
