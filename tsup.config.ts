import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS with declarations for both.
    // `opensky-stream/metrics` is a subpath of its own: prom-client is loaded only by those who use it.
    entry: { index: 'src/index.ts', metrics: 'src/metrics/index.ts' },
    format: ['esm', 'cjs'],
    // import.meta.url (packageRoot: deploy, bundle, init) has no CommonJS equivalent: shim it.
    shims: true,
    // An optional devDependency, imported only to bundle the Lambda from sources: never inlined
    // (its API finds its binary relative to its own files).
    external: ['esbuild'],
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
    external: ['esbuild'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
]);
