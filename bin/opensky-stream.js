#!/usr/bin/env -S node --max-semi-space-size=8
// --max-semi-space-size=8: V8 sizes the young generation from the machine's memory (64 MiB of
// new space on a 24 GiB machine); 16 MiB keeps produce and bridge resident memory about 100 MiB
// lower at the same CPU (npm run bench -- e2e prints both). --optimize-for-size would save another
// 90 MiB but doubled their CPU per record, so it is not used.
// The `opensky-stream` command. In an installed package it runs the built CLI
// (dist/cli.js); in a source checkout it runs src/ directly (Node ≥ 22.18
// strips TypeScript types), so there is nothing to rebuild while developing.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `opensky-stream needs Node.js >= 22.12 (24 LTS recommended); this is ${process.version}.\n` +
      'In a checkout, run it through npm (npm run cli -- ...) to use the Node 24 the project installs.\n',
  );
  process.exit(2);
}

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli.js', import.meta.url);
// OPENSKY_STREAM_CLI=built runs dist/ in a checkout too: what an installed package runs (bench/ measures that).
const useSource = process.env.OPENSKY_STREAM_CLI !== 'built' && existsSync(source);
const { main } = await import(useSource ? source.href : built.href);
process.exit(await main(process.argv.slice(2)));
