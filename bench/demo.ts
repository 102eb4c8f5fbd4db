/**
 * `opensky-stream demo` (what `npm start` runs) at the real feed's size: 10,000 synthetic
 * aircraft every 3 s for BENCH_SECONDS (default 60) on the local stack, through the CLI with
 * `npm start`'s Node flags. Prints the demo process's resident memory every 15 s, its peak
 * (issue 18's goal: under 350 MiB), and the notifications it counted. The stack's own
 * processes (Kafka, moto, the endpoint and its Lambda runtimes) are not the demo's and are
 * not counted.
 *
 *   npm run bench -- demo
 *   BENCH_AIRCRAFT=2000 BENCH_SECONDS=30 npm run bench -- demo
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/util/package-root.ts';
import { fmt, localStack, memoryMiB, stackCliEnv } from './_util.ts';

const AIRCRAFT = Number(process.env.BENCH_AIRCRAFT ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);

const stack = await localStack();
// As `npm start` runs it: node with the flags package.json's start script gives.
const script = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).scripts.start as string;
const nodeFlags = script.split(/\s+/).filter((word) => word.startsWith('--'));
const child = spawn(
  process.execPath,
  [
    ...nodeFlags,
    join(packageRoot(), 'bin', 'opensky-stream.js'),
    'demo',
    '--synthetic',
    String(AIRCRAFT),
    '--duration',
    `${SECONDS}s`,
    '--show',
    '0',
  ],
  {
    // info: its progress lines and closing count, read below.
    env: stackCliEnv(stack, 'info'),
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  output += chunk.toString();
});
child.stderr.on('data', (chunk: Buffer) => {
  output += chunk.toString();
});
const status = (field: 'VmRSS' | 'VmHWM'): number => {
  try {
    return memoryMiB(child.pid!, field);
  } catch {
    return 0;
  }
};
const started = Date.now();
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, status('VmHWM'));
}, 500);
const rows = setInterval(() => {
  console.log(`RSS at ${fmt((Date.now() - started) / 1000, 0)} s: ${fmt(status('VmRSS'), 0)} MiB`);
}, 15_000);
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
clearInterval(sampler);
clearInterval(rows);
if (code !== 0) {
  console.error(output.slice(-3000));
  throw new Error(`demo exited with ${code}`);
}
// The demo's JSON log lines: its last progress line and its closing count.
const logLines = output
  .split('\n')
  .filter((line) => line.startsWith('{'))
  .map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return {};
    }
  });
const progress = logLines.filter((line) => line.msg === 'progress').at(-1);
const done = logLines.find((line) => line.msg === 'done');
console.log(`demo, ${fmt(AIRCRAFT)} aircraft every 3 s for ${SECONDS} s (node ${nodeFlags.join(' ')})`);
if (progress) {
  console.log(
    `  last progress: ${fmt(Number(progress.snapshots))} snapshots, ${fmt(Number(progress.produced))} produced, ` +
      `${fmt(Number(progress.notifications))} notifications, lag ${fmt(Number(progress.lag))}`,
  );
}
console.log(`  notifications received: ${done ? fmt(Number(done.notifications)) : 'no closing line'}`);
console.log(`peak RSS of the demo process: ${fmt(peak, 0)} MiB`);
