/**
 * Runs every benchmark in bench/ one after another and prints their figures.
 * `npm run bench` (all) or `npm run bench -- transform kafka-sink` (by name).
 * Benchmarks that need the local stack start it (or reuse a running one).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
  .sort();
const selected = wanted.length ? all.filter((file) => wanted.includes(basename(file, '.ts'))) : all;
if (selected.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(', ')}; available: ${all.map((f) => basename(f, '.ts')).join(', ')}`,
  );
  process.exit(2);
}
// The CLI as an installed package runs it (dist/, not the TypeScript sources a checkout's bin
// runs by type stripping, which costs start-up and memory users never pay): built first.
const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('npm run build failed; the benchmarks run the built CLI');
  process.exit(1);
}
process.env.OPENSKY_STREAM_CLI = 'built';
let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${basename(file, '.ts')} ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
