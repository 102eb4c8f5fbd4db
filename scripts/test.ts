/**
 * The whole test suite, as the README and CI run it (`npm test`):
 * lint → typecheck → unit tests → integration and end-to-end tests against the
 * real native stack (started here if it is not running, and stopped again at
 * the end if this run started it). Extra arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalStack, startLocalStack } from '../src/testing.ts';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

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
  let failed = 0;
  let stack: LocalStack | undefined;
  if (extra.length === 0) {
    failed ||= step('lint', ...npx('biome', ['check', '.']));
    failed ||= step('typecheck', ...npx('tsc', ['--noEmit']));
  }
  if (!failed) {
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
