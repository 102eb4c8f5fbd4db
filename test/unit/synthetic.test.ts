import { describe, expect, it } from 'vitest';
import { generateSnapshot, generateTraffic, syntheticSnapshots } from '../../src/synthetic/index.ts';
import { parseStatesResponse, tryTransformStateVector } from '../../src/transform/index.ts';

describe('Function: generateSnapshot', () => {
  const body = generateSnapshot({ aircraft: 5000, seed: 7 });

  it('is deterministic by seed and differs across seeds', () => {
    expect(generateSnapshot({ aircraft: 50, seed: 7 })).toEqual(generateSnapshot({ aircraft: 50, seed: 7 }));
    expect(generateSnapshot({ aircraft: 50, seed: 8 })).not.toEqual(
      generateSnapshot({ aircraft: 50, seed: 7 }),
    );
  });

  it('produces valid rows with unique icao24 that the parser accepts in full', () => {
    const { response, skipped } = parseStatesResponse(body);
    expect(skipped).toEqual([]);
    expect(response.states).toHaveLength(5000);
    expect(new Set(response.states.map((s) => s.icao24)).size).toBe(5000);
    expect(response.states.every((s) => /^[0-9a-f]{6}$/.test(s.icao24))).toBe(true);
  });

  it('has the quirks of real data: on ground, padded and empty callsigns, null positions, no baro altitude', () => {
    const { states } = parseStatesResponse(body).response;
    const share = (predicate: (s: (typeof states)[number]) => boolean) =>
      states.filter(predicate).length / states.length;
    expect(share((s) => s.on_ground)).toBeGreaterThan(0.05);
    expect(share((s) => s.on_ground)).toBeLessThan(0.15);
    expect(share((s) => s.callsign === '')).toBeGreaterThan(0.005);
    expect(
      share((s) => s.callsign !== null && s.callsign.length === 8 && s.callsign.endsWith(' ')),
    ).toBeGreaterThan(0.5);
    expect(share((s) => s.longitude === null && s.time_position === null)).toBeGreaterThan(0.005);
    expect(share((s) => s.baro_altitude === null && !s.on_ground && s.geo_altitude !== null)).toBeGreaterThan(
      0.01,
    );
    expect(share((s) => (s.baro_altitude ?? 0) < 0)).toBeGreaterThan(0);
    const valid = states.filter((s) => tryTransformStateVector(s).ok);
    expect(valid.length).toBe(states.length);
  });

  it('adds category as the 18th field when extended', () => {
    const extended = generateSnapshot({ aircraft: 10, extended: true });
    expect(extended.states?.every((row) => row.length === 18)).toBe(true);
    expect(generateSnapshot({ aircraft: 10 }).states?.every((row) => row.length === 17)).toBe(true);
  });
});

describe('Function: generateTraffic', () => {
  it('advances time and moves airborne aircraft', () => {
    const traffic = generateTraffic({ aircraft: 200, stepSeconds: 10, seed: 3 });
    const first = traffic.next().value!;
    const second = traffic.next().value!;
    expect(second.time - first.time).toBe(10);
    const before = new Map(first.states!.map((row) => [row[0], row]));
    const moved = second.states!.filter((row) => {
      const old = before.get(row[0]);
      return old && row[8] === false && row[5] !== null && row[5] !== old[5];
    });
    expect(moved.length).toBeGreaterThan(100);
  });
});

describe('Function: syntheticSnapshots', () => {
  it('keeps snapshot times on the wall clock: one interval apart, starting now', async () => {
    const times: number[] = [];
    const start = Math.floor(Date.now() / 1000);
    for await (const snapshot of syntheticSnapshots({ aircraft: 20, intervalMs: 1000, maxSnapshots: 3 })) {
      times.push(snapshot.time);
    }
    expect(times[0]! - start).toBeLessThanOrEqual(1);
    expect([times[1]! - times[0]!, times[2]! - times[1]!]).toEqual([1, 1]);
  });
});
