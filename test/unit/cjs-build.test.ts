import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Options } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';
import config from '../../tsup.config.ts';

// The library entries of tsup.config.ts, built as CommonJS into a folder inside the package (so
// packageRoot() finds package.json above it, as from dist/), without declarations to stay quick.
const outDir = resolve('node_modules/.cache/cjs-build-test');

describe('The CommonJS build', () => {
  beforeAll(async () => {
    const library = (config as Options[])[0]!;
    rmSync(outDir, { recursive: true, force: true });
    await build({ ...library, format: ['cjs'], dts: false, sourcemap: false, outDir, silent: true });
  }, 60_000);

  it('runs code that uses import.meta.url when loaded with require()', () => {
    // Arrange: a plain CommonJS program, as a user's require('opensky-stream/deploy') would run it.
    const program = `
      const lib = require(${JSON.stringify(join(outDir, 'deploy.cjs'))});
      lib.lambdaPackage().then(
        (zip) => console.log(JSON.stringify({ zip: zip.length })),
        (error) => { console.error(error.message); process.exit(1); },
      );`;
    // Act: the bundle step finds the package root through import.meta.url.
    const output = execFileSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 60_000 });
    // Assert
    expect(JSON.parse(output).zip).toBeGreaterThan(10_000);
  }, 90_000);
});
