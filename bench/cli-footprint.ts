/**
 * What a CLI command costs before it does any work: resident memory of
 * `produce --help`, of `produce` polling an unreachable source for 5 s, and of
 * an idle `bridge` (its brokers unreachable), plus which AWS SDK clients each
 * one loaded. Needs no stack: nothing here is reachable, on purpose.
 *   npm run bench -- cli-footprint
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt } from './_util.ts';

const bin = fileURLToPath(new URL('../bin/opensky-stream.js', import.meta.url));

// Loaded before the CLI: records every @aws-sdk/client-* package a module resolves to (the ESM
// loader's synchronous hook), and prints it with the peak RSS when the process exits.
const probe = `
import { registerHooks } from 'node:module';
const clients = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const match = /@aws-sdk\\/(client-[a-z0-9-]+)/.exec(result.url);
    if (match) clients.add(match[1]);
    return result;
  },
});
process.on('exit', () => {
  process.stderr.write('\\nFOOTPRINT ' + JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, clients: [...clients].sort() }) + '\\n');
});`;

interface Footprint {
  /** RSS when measured (after `settleMs`, or at exit for a command that ends by itself), MiB. */
  rssMiB: number;
  /** Peak RSS over the whole run, MiB. */
  peakMiB: number;
  clients: string[];
}

const unreachable = {
  // Port 9 (discard) is closed on this machine: connections are refused at once.
  KAFKA_BROKERS: '127.0.0.1:9',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  OPENSKY_BASE_URL: 'http://127.0.0.1:9/api',
  OPENSKY_STREAM_LOG_LEVEL: 'silent',
};

function vmRssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Run the CLI with `args`; after `settleMs` read its RSS and stop it (SIGTERM), else wait for its exit. */
async function measure(args: string[], settleMs?: number): Promise<Footprint> {
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=8', `--import=data:text/javascript,${encodeURIComponent(probe)}`, bin, ...args],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...unreachable },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let rssMiB = Number.NaN;
  if (settleMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    if (child.exitCode === null) rssMiB = vmRssMiB(child);
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(force);
  } else {
    await exited;
  }
  const line = /FOOTPRINT (.*)/.exec(stderr)?.[1];
  if (!line) throw new Error(`no footprint from ${args.join(' ')}: ${stderr.slice(-2000)}`);
  const report = JSON.parse(line) as { maxRssKiB: number; clients: string[] };
  const peakMiB = report.maxRssKiB / 1024;
  return { rssMiB: Number.isNaN(rssMiB) ? peakMiB : rssMiB, peakMiB, clients: report.clients };
}

const runs: Array<[string, string[], number | undefined]> = [
  ['produce --help', ['produce', '--help'], undefined],
  ['produce, source unreachable, 5 s', ['produce'], 5000],
  ['bridge, brokers unreachable, 5 s', ['bridge'], 5000],
];
console.log(
  `${'command'.padEnd(36)} ${'RSS MiB'.padStart(8)} ${'peak MiB'.padStart(9)}  AWS SDK clients loaded`,
);
for (const [label, args, settleMs] of runs) {
  const { rssMiB, peakMiB, clients } = await measure(args, settleMs);
  console.log(
    `${label.padEnd(36)} ${fmt(rssMiB, 1).padStart(8)} ${fmt(peakMiB, 1).padStart(9)}  ${clients.length ? clients.join(', ') : 'none'}`,
  );
}
