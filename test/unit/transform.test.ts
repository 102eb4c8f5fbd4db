import { describe, expect, it } from 'vitest';
import { isOpenSkyStreamError, ValidationError } from '../../src/errors.ts';
import {
  parseStatesResponse,
  stateVectorFromArray,
  stateVectorToArray,
  transformStateVector,
  tryTransformStateVector,
} from '../../src/transform/index.ts';
import { airborne } from '../support/records.ts';

// Arrange helper: an airborne state vector; override what a test is about.
const sv = airborne;

describe('Function: transformStateVector', () => {
  it('converts an airborne aircraft to exactly the output fields, in order', () => {
    const record = transformStateVector(sv());
    expect(record).toEqual({
      icao24: '4b1816',
      callsign: 'SWR1951',
      origin_country: 'Switzerland',
      time_position: '2024-08-01T12:34:56Z',
      longitude: 3.6738,
      latitude: 41.8384,
      altitude_feet: 35000, // 10668 m / 0.3048
      velocity_knots: 450, // 231.5 m/s × 3600 / 1852 = 449.998…
    });
    expect(Object.keys(record!)).toEqual([
      'icao24',
      'callsign',
      'origin_country',
      'time_position',
      'longitude',
      'latitude',
      'altitude_feet',
      'velocity_knots',
    ]);
  });

  it('accepts the raw array form (17 and 18 fields) with the same result as the object form', () => {
    const named = sv();
    const raw17 = stateVectorToArray(named);
    expect(raw17).toHaveLength(17);
    expect(transformStateVector(raw17)).toEqual(transformStateVector(named));
    expect(transformStateVector([...raw17, 3])).toEqual(transformStateVector(named));
    expect(stateVectorFromArray([...raw17, 3]).category).toBe(3);
    expect(transformStateVector([...raw17, 3, 'future field'])).toEqual(transformStateVector(named));
  });

  it('ignores extra properties such as snapshot_time on Kafka records', () => {
    expect(transformStateVector({ ...sv(), snapshot_time: 1722515700 })).toEqual(transformStateVector(sv()));
  });

  it.each([
    ['on the ground', { on_ground: true }],
    ['altitude exactly 0', { baro_altitude: 0 }],
    ['negative barometric altitude', { baro_altitude: -30.48 }],
    ['no altitude at all', { baro_altitude: null, geo_altitude: null }],
  ])('returns null when not in the air: %s', (_, overrides) => {
    expect(transformStateVector(sv(overrides))).toBeNull();
  });

  it('uses the geometric altitude when the barometric one is missing', () => {
    expect(transformStateVector(sv({ baro_altitude: null, geo_altitude: 304.8 }))?.altitude_feet).toBe(1000);
  });

  it('prefers the barometric altitude even when it is lower than the geometric one', () => {
    expect(transformStateVector(sv({ baro_altitude: 3.048, geo_altitude: 3048 }))?.altitude_feet).toBe(10);
  });

  it('rounds feet and knots to the nearest integer', () => {
    const record = transformStateVector(sv({ baro_altitude: 0.4572, velocity: 0.7716 }));
    expect(record?.altitude_feet).toBe(2); // 1.5 ft rounds up
    expect(record?.velocity_knots).toBe(1); // 1.4999… kn
  });

  it.each([
    ['padded', 'UAL483  ', 'UAL483'],
    ['blank', '        ', null],
    ['empty', '', null],
    ['missing', null, null],
  ])('trims the callsign (%s)', (_, callsign, expected) => {
    expect(transformStateVector(sv({ callsign }))?.callsign).toBe(expected);
  });

  it('keeps nulls: time_position, position and velocity', () => {
    const record = transformStateVector(
      sv({ time_position: null, longitude: null, latitude: null, velocity: null }),
    );
    expect(record).toMatchObject({
      time_position: null,
      longitude: null,
      latitude: null,
      velocity_knots: null,
    });
  });

  it('formats time_position as ISO-8601 UTC without milliseconds, from integer or fractional seconds', () => {
    expect(transformStateVector(sv({ time_position: 0 }))?.time_position).toBe('1970-01-01T00:00:00Z');
    expect(transformStateVector(sv({ time_position: 1649392658.9 }))?.time_position).toBe(
      '2022-04-08T04:37:38Z',
    );
  });

  it.each([
    ['a short array', ['4b1816', 'X'], 'length'],
    ['a string', 'not a vector', 'not-object'],
    ['null', null, 'not-object'],
    ['a numeric icao24', { ...sv(), icao24: 42 }, 'type:icao24'],
    ['NaN velocity', { ...sv(), velocity: Number.NaN }, 'not-finite:velocity'],
    ['Infinity altitude', { ...sv(), baro_altitude: Number.POSITIVE_INFINITY }, 'not-finite:baro_altitude'],
    ['a string on_ground', { ...sv(), on_ground: 'false' }, 'type:on_ground'],
    ['a missing origin_country', { ...sv(), origin_country: undefined }, 'type:origin_country'],
  ])('rejects %s with a typed ValidationError and a countable reason', (_, input, reason) => {
    const error = (() => {
      try {
        transformStateVector(input);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(isOpenSkyStreamError(error) && error.code).toBe('OSS_VALIDATION');
    expect((error as ValidationError).reason).toBe(reason);
    expect(tryTransformStateVector(input)).toMatchObject({ ok: false, reason });
  });
});

describe('Function: parseStatesResponse', () => {
  it('keeps good rows, skips and counts malformed ones', () => {
    const good = stateVectorToArray(sv());
    const { response, skipped } = parseStatesResponse({ time: 1722515700, states: [good, [1, 2], good] });
    expect(response.time).toBe(1722515700);
    expect(response.states).toHaveLength(2);
    expect(skipped).toEqual([{ index: 1, reason: 'length', message: expect.any(String) }]);
  });

  it('treats states: null as no aircraft', () => {
    expect(parseStatesResponse({ time: 1, states: null })).toEqual({
      response: { time: 1, states: [] },
      skipped: [],
    });
  });

  it.each([
    ['an array', [], 'response:not-object'],
    ['a missing time', { states: [] }, 'response:time'],
    ['states as an object', { time: 1, states: {} }, 'response:states'],
  ])('throws on a malformed top level: %s', (_, body, reason) => {
    expect(() => parseStatesResponse(body)).toThrow(expect.objectContaining({ reason }));
  });
});
