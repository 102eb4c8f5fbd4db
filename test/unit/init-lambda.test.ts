import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initLambdaProject } from '../../src/deploy/init.ts';
import { ConfigError } from '../../src/errors.ts';

describe('Function: initLambdaProject', () => {
  it('writes a handler project that imports the shared transform from opensky-stream', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'init-')), 'my-fn');
    const files = initLambdaProject(dir);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'README.md',
      'handler.ts',
      'package.json',
    ]);
    const handler = readFileSync(join(dir, 'handler.ts'), 'utf8');
    expect(handler).toMatch(/from 'opensky-stream\/lambda'/);
    expect(handler).toContain('tryTransformStateVector(sv)');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies).toHaveProperty(
      'opensky-stream',
    );
  });

  it('refuses to overwrite existing files unless forced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'init-'));
    writeFileSync(join(dir, 'handler.ts'), 'mine');
    expect(() => initLambdaProject(dir)).toThrow(ConfigError);
    expect(readFileSync(join(dir, 'handler.ts'), 'utf8')).toBe('mine');
    initLambdaProject(dir, { force: true });
    expect(readFileSync(join(dir, 'handler.ts'), 'utf8')).not.toBe('mine');
  });
});
