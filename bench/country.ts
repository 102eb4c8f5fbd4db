/**
 * How often countryOfIcao24 agrees with OpenSky's own `origin_country`, over
 * every real recording in ../shared/fixtures/opensky (read where it lies,
 * never copied into the repo): the agreement in %, then the most frequent
 * disagreements (OpenSky's name ← ours) with example addresses.
 *   npm run bench -- country
 * A folder of other `/states/all` bodies can stand in: `node bench/country.ts <dir>`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countryOfIcao24 } from '../src/domain/country.ts';
import { fmt } from './_util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? join(here, '..', '..', 'shared', 'fixtures', 'opensky');
const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.json')) : [];
if (files.length === 0) {
  console.error(`no recorded /states/all bodies (*.json) in ${dir}: nothing to compare against`);
  process.exit(2);
}

interface Disagreement {
  count: number;
  examples: string[];
}

let rows = 0;
let agreed = 0;
let unknown = 0;
const disagreements = new Map<string, Disagreement>();
for (const file of files.sort()) {
  const body = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { states?: unknown[][] | null };
  let fileAgreed = 0;
  const states = body.states ?? [];
  for (const row of states) {
    const [icao24, , opensky] = row as [string, unknown, string];
    const ours = countryOfIcao24(icao24);
    if (ours === undefined) unknown++;
    if (ours === opensky) {
      fileAgreed++;
      continue;
    }
    const key = `${JSON.stringify(opensky)} ← ${ours === undefined ? '(none)' : JSON.stringify(ours)}`;
    const entry = disagreements.get(key) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(icao24);
    disagreements.set(key, entry);
  }
  rows += states.length;
  agreed += fileAgreed;
  console.log(
    `${file}: ${fmt(fileAgreed)} of ${fmt(states.length)} agree (${fmt((100 * fileAgreed) / Math.max(1, states.length), 2)} %)`,
  );
}

console.log(
  `\nagreement with OpenSky's origin_country: ${fmt(agreed)} of ${fmt(rows)} state vectors = ${fmt((100 * agreed) / Math.max(1, rows), 2)} %` +
    ` (${fmt(unknown)} addresses outside every block)`,
);
const top = [...disagreements].sort((a, b) => b[1].count - a[1].count).slice(0, 10);
if (top.length === 0) console.log('no disagreements');
else {
  console.log('top disagreements (OpenSky ← ours):');
  for (const [key, { count, examples }] of top)
    console.log(`  ${fmt(count)}× ${key}  e.g. ${examples.join(', ')}`);
}
