#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=8 --heap-growing-percent=50
// Resident memory at the real feed (npm run bench -- e2e prints it; issue 18's goal is < 150 MiB):
// --max-semi-space-size=8: V8 sizes the young generation from the machine's memory (64 MiB of
//   new space on a 24 GiB machine); 16 MiB keeps produce and bridge about 100 MiB lower at the
//   same CPU.
// --heap-growing-percent=50: the old generation grows 1.5× its live size instead of up to 4×, so
//   major GCs come sooner and free the buffers kafkajs encodes and decodes (their memory lives
//   outside the V8 heap until then): without it, peak RSS produce 189, bridge 163 MiB. `produce`
//   sets it back to 100 once running (src/cli/run/produce.ts): it stays under 150 MiB at that, for
//   a quarter less CPU.
// MALLOC_ARENA_MAX=1: V8's compiler and GC threads and libuv's pool each got a glibc arena of
//   their own, which kept what they freed (about 40 MiB in produce right after its first
//   snapshot); one arena, with fixed 128 KiB trim and mmap thresholds, gives it back. Linux
//   only (other systems ignore them); npm's Windows shim sets them too.
// Together: peak RSS produce 125–169 (under 150 in most runs), bridge 123–141 MiB, for about 15 %
//   more of their own CPU.
// --optimize-for-size would save another 40 MiB but costs 50 % more CPU, so it is not used.
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
