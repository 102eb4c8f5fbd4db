/**
 * Synthetic OpenSky traffic: `/api/states/all` bodies with the quirks of real
 * recordings (padded and empty callsigns, aircraft on the ground without
 * altitude, null positions, negative barometric altitude, integers where
 * floats are expected, stale `time_position`), deterministic by seed. For
 * demos without network access, tests and benchmarks. Identities are
 * consistent: the ICAO address is from the country's block, the callsign from
 * one of its airlines, the position on a route between airports.
 *
 * @module
 */

import { parseStatesResponse } from '../domain/state-vector.ts';
import type { StateVector } from '../domain/types.ts';
import { snapshotOf } from '../opensky/source.ts';
import { pause } from '../util/retry.ts';
import { drawIdentity } from './identities.ts';

/** Options of the generated traffic ({@link syntheticSnapshots}, and the generator's snapshots and sequences). */
export interface SyntheticOptions {
  /** Aircraft per snapshot. @default 1000 */
  aircraft?: number;
  /** Unix seconds of the (first) snapshot. @default 1722515700 */
  time?: number;
  /** Seed of the pseudo-random generator; the same seed gives the same traffic. @default 1 */
  seed?: number;
  /** Add `category` as an 18th field, as the API does with `extended=1`. @default false */
  extended?: boolean;
  /** Share of aircraft on the ground. @default 0.09 */
  onGroundShare?: number;
}

/** A raw `/api/states/all` body. */
export interface RawStatesBody {
  time: number;
  states: unknown[][] | null;
}

/** mulberry32: a small, fast, seedable PRNG (deterministic across platforms). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Aircraft {
  icao24: string;
  callsign: string;
  country: string;
  lon: number;
  lat: number;
  altitude: number;
  velocity: number;
  track: number;
  onGround: boolean;
  squawk: string | null;
  category: number;
  stalePosition: number;
  quirk: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

function makeFleet(
  count: number,
  random: () => number,
  onGroundShare: number,
  used = new Set<string>(),
): Aircraft[] {
  const fleet: Aircraft[] = [];
  while (fleet.length < count) {
    const onGround = random() < onGroundShare;
    // Address, country, callsign, position and heading that belong together (see identities.ts).
    const { icao24, callsign, country, lat, lon, track } = drawIdentity(random, onGround, used);
    fleet.push({
      icao24,
      callsign,
      country,
      lon,
      lat,
      altitude: onGround ? 0 : 300 + random() * 12_000,
      velocity: onGround ? random() * 15 : 90 + random() * 180,
      track,
      onGround,
      squawk: random() < 0.6 ? null : String(Math.floor(random() * 7777)).padStart(4, '0'),
      category: Math.floor(random() * 8),
      stalePosition: random() < 0.03 ? Math.floor(random() * 7200) : Math.floor(random() * 3),
      quirk: random(),
    });
  }
  return fleet;
}

function row(a: Aircraft, time: number, extended: boolean): unknown[] {
  // Quirk bands, fixed per aircraft: ~1.3% no position, ~10% no barometric altitude
  // (some of those with a geometric one), ~0.5% negative barometric altitude.
  const noPosition = a.quirk < 0.013;
  const noBaro = a.onGround || (a.quirk >= 0.013 && a.quirk < 0.113);
  const negativeBaro = !a.onGround && a.quirk >= 0.113 && a.quirk < 0.118;
  const baro = noBaro ? null : negativeBaro ? -round(a.altitude / 100, 2) : round(a.altitude, 2);
  const geo = a.onGround || (noBaro && a.quirk < 0.06) ? null : round(a.altitude + 150, 2);
  // Real responses carry whole numbers as JSON integers.
  const velocity = a.quirk > 0.99 ? null : a.quirk > 0.7 ? Math.round(a.velocity) : round(a.velocity, 2);
  const fields: unknown[] = [
    a.icao24,
    a.callsign,
    a.country,
    noPosition ? null : time - a.stalePosition,
    time - (a.stalePosition > 3 ? a.stalePosition : 0),
    noPosition ? null : round(a.lon, 4),
    noPosition ? null : round(a.lat, 4),
    baro,
    a.onGround,
    velocity,
    round(a.track, 2),
    a.onGround ? null : round((a.quirk - 0.5) * 20, 2),
    null,
    geo,
    a.squawk,
    a.quirk > 0.995,
    0,
  ];
  if (extended) fields.push(a.category);
  return fields;
}

function advance(fleet: Aircraft[], seconds: number): void {
  for (const a of fleet) {
    if (a.onGround) continue;
    const distance = (a.velocity * seconds) / 111_320; // degrees, roughly
    const radians = (a.track * Math.PI) / 180;
    a.lat = Math.max(-85, Math.min(85, a.lat + distance * Math.cos(radians)));
    a.lon = ((a.lon + distance * Math.sin(radians) + 540) % 360) - 180;
  }
}

/** One `/api/states/all` body with `aircraft` state vectors. */
export function generateSnapshot(options: SyntheticOptions = {}): RawStatesBody {
  const time = options.time ?? 1722515700;
  const random = prng(options.seed ?? 1);
  const fleet = makeFleet(options.aircraft ?? 1000, random, options.onGroundShare ?? 0.09);
  return { time, states: fleet.map((a) => row(a, time, options.extended ?? false)) };
}

/**
 * An endless sequence of snapshots `stepSeconds` apart, in which the same
 * aircraft move along their tracks; a few leave and new ones appear.
 */
export function* generateTraffic(
  options: SyntheticOptions & { stepSeconds?: number } = {},
): Generator<RawStatesBody, never, undefined> {
  const random = prng(options.seed ?? 1);
  const count = options.aircraft ?? 1000;
  const share = options.onGroundShare ?? 0.09;
  let fleet = makeFleet(count, random, share);
  let time = options.time ?? 1722515700;
  const step = options.stepSeconds ?? 10;
  for (;;) {
    yield { time, states: fleet.map((a) => row(a, time, options.extended ?? false)) };
    advance(fleet, step);
    // ~1% turnover per step.
    const leaving = Math.floor(count * 0.01);
    const staying = fleet.slice(leaving);
    const arrivals = makeFleet(leaving, random, share, new Set(staying.map((a) => a.icao24)));
    fleet = [...staying, ...arrivals];
    time += step;
  }
}

/**
 * Generated traffic as a snapshot source (like OpenSkySource, parsed), one
 * snapshot every `intervalMs`, until `signal` aborts or `maxSnapshots`.
 */
export async function* syntheticSnapshots(
  options: SyntheticOptions & {
    intervalMs?: number;
    maxSnapshots?: number;
    signal?: AbortSignal;
    stepSeconds?: number;
  } = {},
): AsyncGenerator<{ time: number; states: StateVector[]; fetchedAt: number; skippedRows: number }> {
  // Snapshot times follow the wall clock: one step per interval (10 s when there is none).
  const stepSeconds =
    options.stepSeconds ?? (options.intervalMs ? Math.max(1, Math.round(options.intervalMs / 1000)) : 10);
  const traffic = generateTraffic({ time: Math.floor(Date.now() / 1000), ...options, stepSeconds });
  for (let n = 0; options.maxSnapshots === undefined || n < options.maxSnapshots; n++) {
    if (options.signal?.aborted) return;
    yield snapshotOf(parseStatesResponse(traffic.next().value));
    if (options.intervalMs && !(await pause(options.intervalMs, options.signal))) return;
  }
}
