/**
 * The whole test suite, as the README and CI run it (`npm test`):
 * lint → typecheck → unit tests → integration and end-to-end tests against the
 * real native stack (started here if it is not running, and stopped again at
 * the end if this run started it). Extra arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalStack, startLocalStack } from '../src/entries/testing.ts';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

function step(title: string, command: string, args: string[]): number {
  process.stdout.write(`\n▶ ${title}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  return result.status ?? 1;
}

/**
 * The live page's test drives Debian's Chromium through playwright-core (no browser download).
 * Install it when missing and this user may (root with apt-get); otherwise say how, and the
 * page's test fails with the same hint.
 */
function ensureChromium(): void {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    process.stdout.write('\n▶ installing Chromium (Debian package) for the live page test\n');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit' });
    if (existsSync(path)) return;
  }
  process.stdout.write(
    `\n▶ no Chromium at ${path}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH\n`,
  );
}

const npx = (bin: string, args: string[]): [string, string[]] => [
  `${repoRoot}/node_modules/.bin/${bin}`,
  args,
];

async function main(): Promise<number> {
  const extra = process.argv.slice(2);
  let failed = 0;
  let stack: LocalStack | undefined;
  if (extra.length === 0) {
    failed ||= step('lint', ...npx('biome', ['check', '.']));
    failed ||= step('typecheck', ...npx('tsc', ['--noEmit']));
  }
  if (!failed) {
    ensureChromium();
    // Bring the stack up here (the vitest global setup then reuses it), so that this run
    // knows which services it started and stops exactly those.
    process.stdout.write('\n▶ local stack\n');
    try {
      stack = await startLocalStack({ log: (message) => process.stderr.write(`[stack] ${message}\n`) });
    } catch (error) {
      console.error(`the local stack could not start: ${(error as Error).message}`);
      return 1;
    }
    try {
      // One vitest run for both projects, so the closing line counts every test.
      failed = step('tests (unit + integration on the real stack)', ...npx('vitest', ['run', ...extra]));
    } finally {
      if (stack.started.length && process.env.OPENSKY_STREAM_KEEP_STACK !== '1') {
        process.stdout.write(
          `\n▶ stopping what this run started: ${stack.started.join(', ')} (OPENSKY_STREAM_KEEP_STACK=1 keeps it)\n`,
        );
        await stack.stop();
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
