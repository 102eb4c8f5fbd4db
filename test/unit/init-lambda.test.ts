import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initLambdaProject } from '../../src/deploy/init.ts';
import { functionPolicy } from '../../src/deploy/policy.ts';
import { ConfigError } from '../../src/errors.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const template = join(root, 'lambda-template', 'project');

describe('Function: initLambdaProject', () => {
  it('writes a handler project that imports the shared transform from opensky-stream', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'init-')), 'my-fn');
    const files = initLambdaProject(dir);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'README.md',
      'handler.ts',
      'package.json',
      'tsconfig.json',
    ]);
    const handler = readFileSync(join(dir, 'handler.ts'), 'utf8');
    expect(handler).toMatch(/from 'opensky-stream\/lambda'/);
    expect(handler).toContain('tryTransformStateVector(sv)');
    // Every other file is the template's, as it is.
    for (const file of ['README.md', 'handler.ts', 'tsconfig.json'])
      expect(readFileSync(join(dir, file), 'utf8')).toBe(readFileSync(join(template, file), 'utf8'));
  });

  it('pins opensky-stream to the version that generated the project, and keeps the rest of package.json', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'init-')), 'my-fn');
    initLambdaProject(dir);
    const written = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const templated = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(written.dependencies['opensky-stream']).toBe(version);
    expect({ ...written, dependencies: templated.dependencies }).toEqual(templated);
  });

  it('writes a project whose scripts typecheck, build, deploy its dist/ and invoke it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'init-')), 'my-fn');
    initLambdaProject(dir);
    const { scripts, devDependencies } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(scripts.typecheck).toBe('tsc --noEmit');
    // esbuild bundles code tsc rejects: the build typechecks first.
    expect(scripts.build).toMatch(
      /^tsc --noEmit && esbuild handler\.ts --bundle .*--outfile=dist\/index\.mjs/,
    );
    expect(scripts.deploy).toBe('npm run build && opensky-stream deploy --code dist');
    expect(scripts.invoke).toBe('opensky-stream invoke --sample 5');
    expect(Object.keys(devDependencies).sort()).toEqual(['@types/node', 'esbuild', 'typescript']);
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig).toMatchObject({ compilerOptions: { strict: true, noEmit: true }, include: ['*.ts'] });
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

describe('Docs: lambda-template/README.md', () => {
  it('shows the policy deploy --print-policy prints (functionPolicy for the default topic)', () => {
    const readme = readFileSync(join(root, 'lambda-template', 'README.md'), 'utf8');
    const shown = /## IAM policy the function needs\s+```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(JSON.parse(shown ?? 'null')).toEqual(
      functionPolicy('arn:aws:sns:<region>:<account>:FlightNotifications'),
    );
  });
});
