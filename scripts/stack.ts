/**
 * The stack's code moved to src/stack/ (it ships with the package as
 * `opensky-stream stack up|down|status|logs`; `npm run stack:*` call that).
 * This re-export keeps older imports working (bench/e2e.ts); new code imports
 * src/stack/stack.ts. Run directly, it is the CLI's `stack` command.
 */
import { pathToFileURL } from 'node:url';

export * from '../src/stack/stack.ts';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { main } = await import('../src/cli/main.ts');
  process.exit(await main(['stack', ...process.argv.slice(2)]));
}
