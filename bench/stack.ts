/**
 * Start time of the native stack, cold (an empty project cache: Kafka jars
 * copied from Maven's local repository or Central, a new moto venv, RIE
 * built) and warm (everything cached), and its memory. Runs on its own ports
 * and folders, so a running stack is left alone.
 *   npm run bench -- stack
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackConfig } from '../src/stack/lib.ts';
import { stackDown, stackStatus, stackUp } from '../src/stack/stack.ts';
import { fmt } from './_util.ts';

const base = mkdtempSync(join(tmpdir(), 'bench-stack-'));
const cfg = stackConfig({
  ...process.env,
  KAFKA_PORT: '29092',
  KAFKA_CONTROLLER_PORT: '29093',
  AWS_PORT: '24566',
  MOTO_PORT: '24567',
  OPENSKY_STREAM_CACHE: join(base, 'cache'),
  OPENSKY_STREAM_RUN_DIR: join(base, 'run'),
});
const quiet = () => {};
try {
  for (const label of ['cold (empty cache)', 'warm (cached, data kept)']) {
    const started = performance.now();
    const timings = await stackUp(cfg, quiet);
    const seconds = (performance.now() - started) / 1000;
    const parts = Object.entries(timings)
      .map(([name, s]) => `${name} ${fmt(s, 1)} s`)
      .join(', ');
    console.log(
      `${label.padEnd(26)} ${fmt(seconds, 1).padStart(5)} s until every service is healthy (${parts})`,
    );
    if (label.startsWith('warm')) {
      const status = await stackStatus(cfg);
      const mem = status.map((s) => `${s.name} ${s.rssMiB ?? '?'} MiB`).join(', ');
      console.log(
        `memory (resident, idle): ${mem}; total ${status.reduce((sum, s) => sum + (s.rssMiB ?? 0), 0)} MiB`,
      );
    }
    await stackDown(cfg, quiet);
  }
} finally {
  await stackDown(cfg, quiet);
  rmSync(base, { recursive: true, force: true });
}
