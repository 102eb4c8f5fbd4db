/**
 * transformStateVector and response parsing, in-process, on one 10,000-vector
 * /states/all body: the recorded OpenSky response repeated when ../shared has
 * it, else a generated snapshot. Prints vectors/s for the transform, ms per
 * snapshot for parsing, and bare JSON.parse of the same text as the limit.
 *   npm run bench -- transform
 */
import { generateSnapshot, type RawStatesBody } from '../src/synthetic/index.ts';
import {
  parseStatesResponse,
  transformStateVector,
  tryTransformStateVector,
} from '../src/transform/index.ts';
import { fmt, percentile, realOrGenerated } from './_util.ts';

const VECTORS = 10_000;

/** A 10,000-vector body: the recorded rows repeated (each keeps its own values), or generated ones. */
function tenThousand(): { body: RawStatesBody; label: string } {
  const { body, label } = realOrGenerated();
  const rows = body.states ?? [];
  if (label.startsWith('recorded') && rows.length > 0) {
    const states = Array.from({ length: VECTORS }, (_, i) => rows[i % rows.length]!);
    return { body: { time: body.time, states }, label: `${label}, repeated to ${fmt(VECTORS)}` };
  }
  return {
    body: generateSnapshot({ aircraft: VECTORS, seed: 1, extended: true }),
    label: `generated snapshot (${fmt(VECTORS)} vectors, 18 fields)`,
  };
}

const { body, label } = tenThousand();
const text = JSON.stringify(body); // compact, as the API sends it
const rows = body.states ?? [];
const named = parseStatesResponse(body).response.states;
console.log(`input: ${label}; body ${fmt(text.length / 1024 / 1024, 2)} MiB of JSON`);

/** Median milliseconds of one call of `fn` over `rounds` rounds, after warming up. `fn` returns a count (kept). */
function medianMs(rounds: number, fn: () => number): number {
  let sink = 0;
  for (let i = 0; i < 5; i++) sink += fn(); // warm up: let the JIT optimise
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    sink += fn();
    times.push(performance.now() - started);
  }
  if (sink < 0) console.log(sink); // keep the results observable
  return percentile(times, 50);
}

/** Like {@link medianMs} for several functions, run in turn within each round. */
function interleavedMedianMs(rounds: number, fns: Array<() => number>): number[] {
  let sink = 0;
  for (let i = 0; i < 5; i++) for (const fn of fns) sink += fn();
  const times = fns.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    fns.forEach((fn, f) => {
      const started = performance.now();
      sink += fn();
      times[f]!.push(performance.now() - started);
    });
  }
  if (sink < 0) console.log(sink);
  return times.map((t) => percentile(t, 50));
}

const line = (name: string, value: string, note = '') =>
  console.log(`${name.padEnd(48)} ${value.padStart(16)}${note ? `  ${note}` : ''}`);
const perSecond = (ms: number) => `${fmt((rows.length / ms) * 1000)} vectors/s`;

// The transform: one pass over all 10,000 vectors per round.
const transformRaw = medianMs(60, () => {
  let inAir = 0;
  for (const row of rows) if (transformStateVector(row) !== null) inAir++;
  return inAir;
});
// The worst case for the time formatter's one-second cache: every vector a different second and day.
const spread = rows.map((row, i) => {
  const copy = [...row];
  if (typeof copy[3] === 'number') copy[3] = copy[3] - i * 86_461;
  return copy;
});
const transformSpread = medianMs(60, () => {
  let inAir = 0;
  for (const row of spread) if (transformStateVector(row) !== null) inAir++;
  return inAir;
});
const tryRaw = medianMs(60, () => {
  let ok = 0;
  for (const row of rows) if (tryTransformStateVector(row).ok) ok++;
  return ok;
});
const tryNamed = medianMs(60, () => {
  let ok = 0;
  for (const sv of named) if (tryTransformStateVector(sv).ok) ok++;
  return ok;
});

// Parsing: the text → ParsedStates as OpenSkySource does it, against bare JSON.parse of the same text.
// The three alternate round by round, so a busy machine slows them alike and the ratios hold.
const decoded = JSON.parse(text) as RawStatesBody;
const [bare, ours, validateOnly] = interleavedMedianMs(40, [
  () => (JSON.parse(text) as RawStatesBody).time,
  () => parseStatesResponse(JSON.parse(text)).response.states.length,
  () => parseStatesResponse(decoded).response.states.length,
]) as [number, number, number];

console.log('\ntransform (median of 60 passes over 10,000 vectors)');
line('transformStateVector (raw arrays)', perSecond(transformRaw), 'goal ≥ 2,000,000 per core');
line('  … every vector a different second and day', perSecond(transformSpread));
line('tryTransformStateVector (raw arrays)', perSecond(tryRaw));
line('tryTransformStateVector (named objects, Kafka)', perSecond(tryNamed));

console.log(`\nparse a ${fmt(VECTORS)}-vector body (median of 40, ms per snapshot)`);
line('JSON.parse + parseStatesResponse (ours)', `${fmt(ours, 2)} ms`, 'goal ≤ 15 ms');
line('bare JSON.parse (the limit)', `${fmt(bare, 2)} ms`);
line('parseStatesResponse alone (validate + name)', `${fmt(validateOnly, 2)} ms`);
line('ratio ours / bare JSON.parse', `${fmt(ours / bare, 2)}×`);
line('ratio validate + name / bare JSON.parse', `${fmt(validateOnly / bare, 2)}×`);

const inAir = named.filter((sv) => transformStateVector(sv) !== null).length;
console.log(`\nin the air: ${fmt(inAir)} of ${fmt(named.length)}`);
globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const kept = Array.from({ length: 10 }, () => parseStatesResponse(decoded).response.states);
globalThis.gc?.();
console.log(
  `heap per parsed snapshot (named objects only): ${fmt((process.memoryUsage().heapUsed - before) / 10 / 1024 / 1024, 1)} MiB (${kept.length} kept)`,
);
