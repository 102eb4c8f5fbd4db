/**
 * transformStateVector and response parsing, in-process. Prints vectors/s.
 *   npm run bench -- transform
 */
import {
  parseStatesResponse,
  transformStateVector,
  tryTransformStateVector,
} from '../src/transform/index.ts';
import { fmt, realOrGenerated } from './_util.ts';

const { body, label } = realOrGenerated();
const rows = body.states ?? [];
console.log(`input: ${label}`);

function measure(name: string, rounds: number, fn: () => number): void {
  fn(); // warm up
  const started = performance.now();
  let items = 0;
  for (let i = 0; i < rounds; i++) items += fn();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name.padEnd(42)} ${fmt(items / seconds).padStart(12)} vectors/s`);
}

measure('parseStatesResponse (validate + name)', 50, () => parseStatesResponse(body).response.states.length);
const named = parseStatesResponse(body).response.states;
measure('transformStateVector (raw arrays)', 50, () => {
  for (const row of rows) transformStateVector(row);
  return rows.length;
});
measure('tryTransformStateVector (named objects)', 50, () => {
  for (const sv of named) tryTransformStateVector(sv);
  return named.length;
});
const inAir = named.filter((sv) => transformStateVector(sv) !== null).length;
console.log(`in the air: ${inAir} of ${named.length}`);
const before = process.memoryUsage().heapUsed;
const kept = Array.from({ length: 10 }, () => parseStatesResponse(body).response.states);
console.log(
  `heap per parsed snapshot: ${fmt((process.memoryUsage().heapUsed - before) / 10 / 1024 / 1024, 1)} MiB (${kept.length} kept)`,
);
