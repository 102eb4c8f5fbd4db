/**
 * The whole test suite, as the README and CI run it (`npm test`):
 * lint → typecheck → unit tests → integration and end-to-end tests against the
 * real native stack (started here if it is not running, and stopped again at
 * the end if this run started it). Extra arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { repoRoot, stackConfig } from './stack/lib.ts';
import { stackDown, stackStatus } from './stack.ts';

function step(title: string, command: string, args: string[]): number {
  process.stdout.write(`\n▶ ${title}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  return result.status ?? 1;
}

const npx = (bin: string, args: string[]): [string, string[]] => [
  `${repoRoot}/node_modules/.bin/${bin}`,
  args,
];

async function main(): Promise<number> {
  const extra = process.argv.slice(2);
  const cfg = stackConfig();
  const wasRunning = (await stackStatus(cfg)).some((service) => service.healthy);
  let failed = 0;
  if (extra.length === 0) {
    failed ||= step('lint', ...npx('biome', ['check', '.']));
    failed ||= step('typecheck', ...npx('tsc', ['--noEmit']));
  }
  if (!failed) {
    try {
      // One vitest run for both projects, so the closing line counts every test.
      failed = step('tests (unit + integration on the real stack)', ...npx('vitest', ['run', ...extra]));
    } finally {
      if (!wasRunning && process.env.OPENSKY_STREAM_KEEP_STACK !== '1') {
        process.stdout.write(
          '\n▶ stopping the stack this run started (OPENSKY_STREAM_KEEP_STACK=1 keeps it)\n',
        );
        await stackDown(cfg);
      }
    }
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
