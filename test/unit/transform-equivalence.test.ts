/**
 * Issue 8: the fast transform and parser must keep the rules and the bytes.
 * A copy of the implementation before the rewrite (Date-based time, generic
 * field table) lives here only as the reference; every valid record must give
 * byte-identical JSON, and every invalid one the same reason.
 */
import { describe, expect, it } from 'vitest';
import { STATE_VECTOR_FIELDS, type StateVector } from '../../src/domain/types.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import {
  checkStateVector,
  checkStateVectorArray,
  parseStatesResponse,
  toIsoSeconds,
  transformStateVector,
  tryTransformStateVector,
} from '../../src/transform/index.ts';

// ---- The reference: the implementation before the rewrite (validation and output only). ----

type Kind = 'string' | 'number' | 'integer' | 'boolean';
const REFERENCE_KINDS: Array<[string, Kind, boolean]> = [
  ['icao24', 'string', false],
  ['callsign', 'string', true],
  ['origin_country', 'string', false],
  ['time_position', 'number', true],
  ['last_contact', 'number', false],
  ['longitude', 'number', true],
  ['latitude', 'number', true],
  ['baro_altitude', 'number', true],
  ['on_ground', 'boolean', false],
  ['velocity', 'number', true],
  ['true_track', 'number', true],
  ['vertical_rate', 'number', true],
  ['geo_altitude', 'number', true],
  ['squawk', 'string', true],
  ['spi', 'boolean', false],
  ['position_source', 'integer', false],
];

function referenceCheckField(field: string, value: unknown, kind: Kind, nullable: boolean) {
  if (value === null || value === undefined) return nullable ? undefined : `type:${field}`;
  if (kind === 'number' || kind === 'integer') {
    if (typeof value !== 'number') return `type:${field}`;
    if (!Number.isFinite(value)) return `not-finite:${field}`;
    if (kind === 'integer' && !Number.isInteger(value)) return `type:${field}`;
    return undefined;
  }
  return typeof value === kind ? undefined : `type:${field}`;
}

/** The old checkStateVector: the reason of the first invalid field, or the record itself. */
function referenceCheck(input: unknown): { reason: string } | { value: Record<string, unknown> } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { reason: 'not-object' };
  const record = input as Record<string, unknown>;
  for (const [field, kind, nullable] of REFERENCE_KINDS) {
    const reason = referenceCheckField(field, record[field], kind, nullable);
    if (reason) return { reason };
  }
  const sensors = record.sensors;
  if (
    sensors !== null &&
    sensors !== undefined &&
    !(Array.isArray(sensors) && sensors.every(Number.isInteger))
  )
    return { reason: 'type:sensors' };
  const category = record.category;
  if (category !== undefined && referenceCheckField('category', category, 'integer', true))
    return { reason: 'type:category' };
  return { value: record };
}

function referenceCheckArray(raw: unknown) {
  if (!Array.isArray(raw)) return { reason: 'not-array' };
  if (raw.length < 17) return { reason: 'length' };
  const named: Record<string, unknown> = {};
  for (let i = 0; i < 17; i++) named[STATE_VECTOR_FIELDS[i]!] = raw[i];
  if (raw.length > 17) named.category = raw[17];
  return referenceCheck(named);
}

const referenceIso = (unixSeconds: number) =>
  `${new Date(Math.floor(unixSeconds) * 1000).toISOString().slice(0, 19)}Z`;

function referenceTransform(input: unknown): { reason: string } | { record: unknown } {
  const checked = Array.isArray(input) ? referenceCheckArray(input) : referenceCheck(input);
  if ('reason' in checked) return checked;
  const sv = checked.value as unknown as StateVector;
  const altitude = sv.baro_altitude ?? sv.geo_altitude ?? null;
  if (sv.on_ground !== false || altitude === null || altitude <= 0) return { record: null };
  const callsign = sv.callsign?.trim();
  return {
    record: {
      icao24: sv.icao24,
      callsign: callsign ? callsign : null,
      origin_country: sv.origin_country,
      time_position: sv.time_position === null ? null : referenceIso(sv.time_position),
      longitude: sv.longitude,
      latitude: sv.latitude,
      altitude_feet: Math.round(altitude / 0.3048),
      velocity_knots: sv.velocity === null ? null : Math.round(sv.velocity * (3600 / 1852)),
    },
  };
}

// ---- Inputs ----

/** mulberry32, so failures reproduce. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The named form of a raw row (holes become present-but-undefined properties). */
const named = (raw: readonly unknown[]) => {
  const sv: Record<string, unknown> = {};
  for (let i = 0; i < raw.length; i++) sv[STATE_VECTOR_FIELDS[i] ?? `extra_${i}`] = raw[i];
  return sv;
};

/** Generated snapshots (17 and 18 fields), plus variants that exercise the output rules. */
function validRows(): unknown[][] {
  const rows: unknown[][] = [];
  for (const [seed, extended] of [
    [1, false],
    [2, true],
    [3, true],
  ] as const) {
    rows.push(...(generateSnapshot({ aircraft: 3000, seed, extended, onGroundShare: 0.2 }).states ?? []));
  }
  const random = prng(99);
  const callsigns = ['', ' ', '\t', 'A', ' ABC ', 'UAL483  ', '\u00a0X\u00a0', 'Ünïcödé  ', '  \n', 'N12345'];
  const variants: unknown[][] = [];
  for (let i = 0; i < 20_000; i++) {
    const row = [...rows[Math.floor(random() * rows.length)]!];
    // Any time in 0000–9999, fractions and negatives included.
    row[3] =
      random() < 0.1
        ? null
        : random() < 0.5
          ? Math.floor(-62167219200 + random() * (253402300800 + 62167219200))
          : -62167219200 + random() * (253402300800 + 62167219200 - 1);
    row[1] = random() < 0.3 ? callsigns[Math.floor(random() * callsigns.length)] : row[1];
    row[7] = random() < 0.2 ? null : (random() - 0.1) * 20_000;
    row[13] = random() < 0.2 ? null : (random() - 0.1) * 20_000;
    row[9] = random() < 0.1 ? null : random() < 0.5 ? Math.floor(random() * 400) : (random() - 0.2) * 400;
    row[8] = random() < 0.1;
    // Halves that round one way or the other: x.5 feet and knots.
    if (random() < 0.05) row[7] = (Math.floor(random() * 40_000) + 0.5) * 0.3048;
    if (random() < 0.05) row[9] = ((Math.floor(random() * 500) + 0.5) * 1852) / 3600;
    variants.push(row);
  }
  return [...rows, ...variants];
}

describe('Function: toIsoSeconds (integer arithmetic)', () => {
  it('matches Date.prototype.toISOString over the whole range 0000–9999, fractions and negatives included', () => {
    const random = prng(7);
    const min = -62167219200;
    const max = 253402300799;
    const values: number[] = [min, max, max + 0.999, -1, -0.001, 0, 0.999, 86399, 86400, -86400, -86401];
    for (let i = 0; i < 200_000; i++) values.push(min + random() * (max - min));
    for (let i = 0; i < 50_000; i++) values.push(Math.floor(1_500_000_000 + random() * 500_000_000));
    // One assertion at the end: an expect() per value would cost more than the comparison itself.
    const mismatches = values.filter((value) => toIsoSeconds(value) !== referenceIso(value));
    expect(mismatches.map((value) => [value, toIsoSeconds(value), referenceIso(value)])).toEqual([]);
  });

  it('matches Date at every year boundary and around every 29 February (leap years, 1900, 2000, 2100, 0000)', () => {
    const mismatches: number[] = [];
    for (let year = 0; year <= 9999; year++) {
      const start = new Date(0);
      start.setUTCFullYear(year, 0, 1); // Date.UTC maps 0–99 to 1900–1999
      const jan1 = start.getTime() / 1000;
      start.setUTCFullYear(year, 2, 1);
      const mar1 = start.getTime() / 1000;
      for (const t of [jan1 - 1, jan1, jan1 + 0.5, mar1 - 86401, mar1 - 86400, mar1 - 1, mar1]) {
        if (t < -62167219200 || t >= 253402300800) continue;
        if (toIsoSeconds(t) !== referenceIso(t)) mismatches.push(t);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives the same string for the same second again (the cache), and for interleaved days', () => {
    const times = [1649392658, 1649392658, 1649392659, 1600000000, 1649392658, 1649392658.7, 1600000000];
    for (const t of times) expect(toIsoSeconds(t)).toBe(referenceIso(t));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 1e13, 253402300800, -62167219201])(
    'throws a RangeError for %s (outside years 0000–9999)',
    (value) => {
      expect(() => toIsoSeconds(value)).toThrow(RangeError);
    },
  );
});

describe('Function: transformStateVector (equivalence with the reference)', () => {
  const rows = validRows();

  it('gives byte-identical JSON for every valid record, raw and named, including nulls', () => {
    let inAir = 0;
    const mismatches: unknown[] = [];
    for (const row of rows) {
      const expected = referenceTransform(row);
      const json = 'record' in expected ? JSON.stringify(expected.record) : `rejected: ${expected.reason}`;
      if (json !== 'null') inAir++;
      const result = tryTransformStateVector(row);
      const got = [
        JSON.stringify(transformStateVector(row)),
        JSON.stringify(transformStateVector(named(row))),
        result.ok ? JSON.stringify(result.record) : result.reason,
      ];
      if (got.some((text) => text !== json)) mismatches.push({ row, json, got });
    }
    // One assertion at the end: an expect() per record would cost more than the work itself.
    expect(mismatches).toEqual([]);
    expect(inAir).toBeGreaterThan(rows.length / 3);
  });

  it('gives the same JSON for named objects with missing (undefined) nullable fields', () => {
    const random = prng(5);
    const nullable = ['callsign', 'longitude', 'latitude', 'baro_altitude', 'velocity', 'geo_altitude'];
    for (const row of rows.slice(0, 5000)) {
      const sv = named(row);
      delete sv[nullable[Math.floor(random() * nullable.length)]!];
      expect(JSON.stringify(transformStateVector(sv))).toBe(
        JSON.stringify((referenceTransform(sv) as { record: unknown }).record),
      );
    }
  });

  it('rejects with the same reason as the reference, first invalid field first', () => {
    const random = prng(11);
    const hostile: unknown[] = [
      null,
      undefined,
      0,
      -1,
      0.5,
      Number.NaN,
      Infinity,
      '',
      'x',
      true,
      [],
      {},
      [1],
    ];
    let rejected = 0;
    for (let i = 0; i < 30_000; i++) {
      const base = rows[Math.floor(random() * rows.length)]!;
      const row: unknown[] = base.slice(0, random() < 0.1 ? Math.floor(random() * 17) : base.length);
      if (random() < 0.2) row.push(hostile[Math.floor(random() * hostile.length)]);
      for (let c = Math.floor(random() * 4); c > 0; c--) {
        row[Math.floor(random() * row.length)] = hostile[Math.floor(random() * hostile.length)];
      }
      // The named form of a short array lacks fields, so its reason is the first missing field.
      for (const input of [row, named(row)]) {
        let want: ReturnType<typeof referenceTransform>;
        try {
          want = referenceTransform(input);
        } catch {
          // The old defect: a named object without time_position made Date throw. Now it is null.
          expect(
            Array.isArray(input) ? input[3] : (input as Record<string, unknown>).time_position,
          ).toBeUndefined();
          expect(tryTransformStateVector(input)).toMatchObject({ ok: true });
          continue;
        }
        const got = tryTransformStateVector(input);
        if ('reason' in want) {
          rejected++;
          expect(got).toMatchObject({ ok: false, reason: want.reason });
        } else {
          expect(got.ok && JSON.stringify(got.record)).toBe(JSON.stringify(want.record));
        }
      }
    }
    expect(rejected).toBeGreaterThan(10_000);
  });
});

describe('Function: parseStatesResponse and the checks (equivalence with the reference)', () => {
  it('names every row exactly as before: same keys, same order, category only when sent', () => {
    const rows = validRows().slice(0, 20_000);
    const body = { time: 1722515700, states: [...rows, [1, 2], 'x', null] };
    const { response, skipped } = parseStatesResponse(body);
    const expected = rows.map((row) => (referenceCheckArray(row) as { value: unknown }).value);
    expect(JSON.stringify(response.states)).toBe(JSON.stringify(expected));
    for (let i = 0; i < 100; i++) expect(Object.keys(response.states[i]!)).toEqual(Object.keys(expected[i]!));
    expect(skipped.map((s) => [s.index, s.reason])).toEqual([
      [rows.length, 'length'],
      [rows.length + 1, 'not-array'],
      [rows.length + 2, 'not-array'],
    ]);
  });

  it('keeps a present-but-undefined 18th field as a category key, like before', () => {
    const row: unknown[] = [...validRows()[0]!.slice(0, 17)];
    row.length = 18;
    const checked = checkStateVectorArray(row);
    expect(checked.ok && 'category' in checked.value).toBe(true);
    expect(checked.ok && Object.keys(checked.value)).toEqual(Object.keys(named(row)));
  });

  it('checkStateVector returns the same object (extra properties kept)', () => {
    const sv = { ...named(validRows()[0]!), snapshot_time: 1 };
    const checked = checkStateVector(sv);
    expect(checked.ok && checked.value).toBe(sv);
  });

  it('sensors: holes are skipped like Array.prototype.every, non-integers rejected', () => {
    const sv = named(validRows()[0]!);
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(checkStateVector({ ...sv, sensors: [1, , 2] }).ok).toBe(true);
    expect(checkStateVector({ ...sv, sensors: [1, 2.5] })).toMatchObject({
      ok: false,
      reason: 'type:sensors',
    });
    expect(checkStateVector({ ...sv, sensors: [] }).ok).toBe(true);
  });
});
