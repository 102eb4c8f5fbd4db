import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS with declarations for both.
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
  },
  {
    // The CLI: ESM only, loaded by bin/opensky-stream.js.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
]);
