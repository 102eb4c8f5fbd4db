/**
 * Issue 7: tryTransformStateVector is documented "never throws", and one record
 * that makes it throw fails a whole Lambda batch. Every hostile value here must
 * come back as a counted `{ ok: false, reason }` (or a valid result), never as
 * an exception; transformStateVector throws only ValidationError.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import {
  parseStatesResponse,
  stateVectorToArray,
  toIsoSeconds,
  transformStateVector,
  tryTransformStateVector,
} from '../../src/transform/index.ts';
import { airborne } from '../support/records.ts';

// Arrange helper: an airborne state vector; override what a test is about.
const sv = airborne;

/** Both input forms of the same vector: the named object and the raw 17-field array. */
const bothForms = (overrides: Record<string, unknown>) => {
  const named = sv(overrides);
  return [named, stateVectorToArray(named)] as const;
};

/** The outcome of the throwing variant: the record, or the error it threw. */
const outcome = (input: unknown) => {
  try {
    return { record: transformStateVector(input) };
  } catch (error) {
    return { error };
  }
};

describe('Function: tryTransformStateVector (hostile input)', () => {
  // The largest |seconds| a Date can hold is 8.64e12; ISO-8601 `YYYY-…` holds years 0000–9999.
  it.each([
    ['1e13 (beyond Date, the reported RangeError)', 1e13],
    ['-1e16', -1e16],
    ['8.64e12 + 1', 8.64e12 + 1],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['-Number.MAX_VALUE', -Number.MAX_VALUE],
    ['year 10000 (253402300800)', 253402300800],
    ['year 11476 (3e11)', 3e11],
    ['year -1 (-62167219201)', -62167219201],
    ['year -1199 (-1e11)', -1e11],
  ])('time_position %s is a counted range failure, never a throw', (_, time) => {
    for (const input of bothForms({ time_position: time })) {
      // Act
      const result = tryTransformStateVector(input);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'range:time_position' });
      expect((result as { message: string }).message).toContain('time_position');
      const { error } = outcome(input);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).reason).toBe('range:time_position');
    }
  });

  it('also rejects an out-of-range time_position of an aircraft on the ground (validity does not depend on the filter)', () => {
    expect(tryTransformStateVector(sv({ time_position: 1e13, on_ground: true }))).toMatchObject({
      ok: false,
      reason: 'range:time_position',
    });
  });

  it.each([
    ['year 0000', -62167219200, '0000-01-01T00:00:00Z'],
    ['year 9999, last second', 253402300799.9, '9999-12-31T23:59:59Z'],
    ['before 1970', -1, '1969-12-31T23:59:59Z'],
    ['negative fraction', -0.5, '1969-12-31T23:59:59Z'],
    ['minus zero', -0, '1970-01-01T00:00:00Z'],
  ])('keeps the edges of the representable range: %s', (_, time, iso) => {
    for (const input of bothForms({ time_position: time })) {
      expect(transformStateVector(input)?.time_position).toBe(iso);
    }
    expect(toIsoSeconds(time)).toBe(iso);
  });

  it.each([
    ['baro_altitude', { baro_altitude: 1e308 }],
    ['geo_altitude', { baro_altitude: null, geo_altitude: 1e308 }],
    ['velocity', { velocity: 1e308 }],
    ['velocity (negative)', { velocity: -1e308 }],
  ])(
    'a %s too large to convert is a counted range failure (not Infinity, which JSON turns into null)',
    (name, overrides) => {
      const field = name.split(' ')[0];
      for (const input of bothForms(overrides)) {
        expect(tryTransformStateVector(input)).toMatchObject({ ok: false, reason: `range:${field}` });
      }
    },
  );

  it('converts huge but convertible values to finite numbers', () => {
    const record = transformStateVector(sv({ baro_altitude: 5e307, velocity: 5e307 }));
    expect(Number.isFinite(record?.altitude_feet)).toBe(true);
    expect(Number.isFinite(record?.velocity_knots)).toBe(true);
  });

  it.each([
    ['negative velocity', { velocity: -12 }, { velocity_knots: -23 }],
    ['a longitude outside ±180 (passed through, as before)', { longitude: 1e300 }, { longitude: 1e300 }],
    ['a negative time_position', { time_position: -86400 }, { time_position: '1969-12-31T00:00:00Z' }],
    ['Number.MAX_SAFE_INTEGER as last_contact', { last_contact: Number.MAX_SAFE_INTEGER }, {}],
  ])('accepts %s without throwing', (_, overrides, expected) => {
    for (const input of bothForms(overrides)) {
      expect(transformStateVector(input)).toMatchObject(expected);
    }
  });

  const throwingToString = Object.assign(() => 0, {
    toString() {
      throw new Error('toString');
    },
  });
  it.each([
    ['NaN', 'time_position', Number.NaN, 'not-finite:time_position'],
    ['-Infinity', 'geo_altitude', Number.NEGATIVE_INFINITY, 'not-finite:geo_altitude'],
    ['a numeric string', 'time_position', '1722515696', 'type:time_position'],
    ['the string "NaN"', 'velocity', 'NaN', 'type:velocity'],
    ['a BigInt', 'time_position', 1722515696n, 'type:time_position'],
    ['a boolean', 'baro_altitude', true, 'type:baro_altitude'],
    ['a Date', 'time_position', new Date(0), 'type:time_position'],
    ['an object', 'velocity', { valueOf: () => 1 }, 'type:velocity'],
    ['an array', 'latitude', [1], 'type:latitude'],
    ['a Symbol', 'icao24', Symbol('x'), 'type:icao24'],
    ['a function whose toString throws', 'callsign', throwingToString, 'type:callsign'],
    ['undefined', 'last_contact', undefined, 'type:last_contact'],
    ['a fractional position_source', 'position_source', 0.5, 'type:position_source'],
    ['sensors with a string', 'sensors', [1, '2'], 'type:sensors'],
    ['sensors as a number', 'sensors', 3, 'type:sensors'],
    ['a fractional category', 'category', 1.5, 'type:category'],
  ])('rejects %s as %s with a countable reason, in both forms', (_, field, value, reason) => {
    const named = sv({ [field]: value });
    const raw: unknown[] = stateVectorToArray(sv());
    raw.length = 18;
    raw[17] = 0;
    raw[
      [
        'icao24',
        'callsign',
        'origin_country',
        'time_position',
        'last_contact',
        'longitude',
        'latitude',
        'baro_altitude',
        'on_ground',
        'velocity',
        'true_track',
        'vertical_rate',
        'sensors',
        'geo_altitude',
        'squawk',
        'spi',
        'position_source',
        'category',
      ].indexOf(field)
    ] = value;
    for (const input of [named, raw]) {
      const result = tryTransformStateVector(input);
      expect(result).toMatchObject({ ok: false, reason });
      expect(typeof (result as { message: string }).message).toBe('string');
      expect((outcome(input).error as ValidationError).reason).toBe(reason);
    }
  });

  it('handles a 1 MB callsign without throwing, and keeps error messages short', () => {
    const huge = `${'A'.repeat(1024 * 1024)}   `;
    expect(transformStateVector(sv({ callsign: huge }))?.callsign).toHaveLength(1024 * 1024);
    expect(transformStateVector(stateVectorToArray(sv({ callsign: huge })))?.callsign).toHaveLength(
      1024 * 1024,
    );
    const rejected = tryTransformStateVector(sv({ callsign: huge, velocity: 'fast' }));
    expect(rejected).toMatchObject({ ok: false, reason: 'type:velocity' });
    const bad = tryTransformStateVector(sv({ icao24: 1, callsign: huge }));
    expect(bad).toMatchObject({ ok: false, reason: 'type:icao24' });
    const longString = tryTransformStateVector(sv({ time_position: huge }));
    expect((longString as { message: string }).message.length).toBeLessThan(200);
  });

  it('turns input that cannot even be read (a throwing getter, a revoked proxy) into a failure', () => {
    const getter = Object.defineProperty(sv(), 'velocity', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(tryTransformStateVector(getter)).toMatchObject({ ok: false, reason: 'unreadable' });
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    expect(tryTransformStateVector(proxy)).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(outcome(proxy).error).toBeInstanceOf(ValidationError);
  });

  it('never throws on randomly corrupted vectors, and agrees with transformStateVector', () => {
    // Arrange: a deterministic generator of hostile values for every position.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const hostile: unknown[] = [
      null,
      undefined,
      0,
      -0,
      -1,
      1e13,
      -1e16,
      1e308,
      -1e308,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      0.5,
      '',
      ' ',
      '1',
      'x'.repeat(1000),
      true,
      false,
      [],
      [1, 2],
      {},
      1n,
      Symbol('s'),
      () => 1,
    ];
    const base = [...stateVectorToArray(sv()), 3];
    const reasons = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const raw: unknown[] = base.slice(0, random() < 0.5 ? 17 : 18);
      const corruptions = 1 + Math.floor(random() * 3);
      for (let c = 0; c < corruptions; c++) {
        raw[Math.floor(random() * raw.length)] = hostile[Math.floor(random() * hostile.length)];
      }
      // Act
      const result = tryTransformStateVector(raw);
      const thrown = outcome(raw);
      // Assert
      if (result.ok) {
        expect(thrown).toEqual({ record: result.record });
        if (result.record) {
          expect(Number.isFinite(result.record.altitude_feet)).toBe(true);
          expect(result.record.time_position ?? '2000-01-01T00:00:00Z').toMatch(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
          );
        }
      } else {
        reasons.add(result.reason);
        expect(result.reason).toMatch(/^(type|not-finite|range):[a-z_0-9]+$/);
        expect(thrown.error).toBeInstanceOf(ValidationError);
        expect((thrown.error as ValidationError).reason).toBe(result.reason);
      }
    }
    expect(reasons.size).toBeGreaterThan(10);
  });

  it('parseStatesResponse keeps the shape rules: a row with a far-future time_position is kept, the transform counts it', () => {
    const row = stateVectorToArray(sv({ time_position: 1e13 }));
    const { response, skipped } = parseStatesResponse({ time: 1, states: [row] });
    expect(skipped).toEqual([]);
    expect(tryTransformStateVector(response.states[0])).toMatchObject({
      ok: false,
      reason: 'range:time_position',
    });
  });
});
