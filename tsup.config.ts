import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library by purpose: `opensky-stream` (what pipelines are built with), `opensky-stream/lambda`
    // (what runs in the function: no kafkajs, IAM or yargs), `opensky-stream/deploy` (the AWS
    // resources from code), `opensky-stream/sns` (SNS's limits and naming rules),
    // `opensky-stream/testing` (the local stack and Kafka events for your tests),
    // `opensky-stream/metrics` (Prometheus: prom-client is loaded only by those who use it).
    // ESM + CJS with declarations for each.
    entry: {
      index: 'src/index.ts',
      lambda: 'src/entries/lambda.ts',
      testing: 'src/entries/testing.ts',
      deploy: 'src/entries/deploy.ts',
      sns: 'src/entries/sns.ts',
      metrics: 'src/metrics/index.ts',
    },
    format: ['esm', 'cjs'],
    // import.meta.url (packageRoot: deploy's bundle, init, the stack, the UI) has no CommonJS equivalent: shim it.
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
    // The CLI: ESM only, loaded by bin/opensky-stream.js. `stack up` spawns the local AWS
    // endpoint (router) and the built-in Lambda runtime client as Node processes of their own:
    // each is an entry, dist/stack/router.js and dist/stack/runtime.js (src/stack/lib.ts,
    // stackFile, finds them). The router forks one poller per event source mapping,
    // dist/stack/esm-worker.js, found beside it (src/stack/esm/supervisor.ts, workerEntry).
    entry: {
      cli: 'src/cli/main.ts',
      'stack/router': 'src/stack/endpoint/main.ts',
      'stack/runtime': 'src/stack/endpoint/runtime.ts',
      'stack/esm-worker': 'src/stack/esm/worker.ts',
    },
    format: ['esm'],
    external: ['esbuild'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
]);
