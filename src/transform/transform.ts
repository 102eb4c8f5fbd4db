/**
 * The processing step of the reference pipeline, and its single source of
 * truth: the library, the in-process pipeline and the Lambda handler all call
 * these functions.
 *
 * Hot path: this runs once per aircraft per snapshot, so it validates the
 * input form it is given in place (no intermediate named object), formats
 * the time without `Date`, and allocates only the output record.
 *
 * @module
 */

import { type InvalidReason, namedFailure } from '../domain/state-vector.ts';
import type { FlightRecord, StateVector } from '../domain/types.ts';
import { fieldFailure, Invalid, invalidRaw, tooShort, unreadable } from '../domain/validate.ts';
import { ValidationError } from '../errors.ts';
import { formatIsoSeconds, isIsoRange } from './iso.ts';

const METRES_PER_FOOT = 0.3048;
const KNOTS_PER_METRE_PER_SECOND = 3600 / 1852;

/** The result of {@link tryTransformStateVector}. */
export type TransformResult =
  | { ok: true; record: FlightRecord | null }
  | { ok: false; reason: InvalidReason; message: string };

/**
 * Unix seconds → `2024-08-01T12:34:56Z` (UTC, whole seconds; fractions are
 * floored). The same string as `Date.prototype.toISOString` without the
 * milliseconds.
 *
 * @throws RangeError when `unixSeconds` is not a number in the years 0000–9999
 *   (`-62167219200` ≤ `unixSeconds` < `253402300800`).
 */
export function toIsoSeconds(unixSeconds: number): string {
  if (typeof unixSeconds !== 'number' || !isIsoRange(unixSeconds)) {
    throw new RangeError(`${String(unixSeconds)} is not a Unix time in the years 0000–9999`);
  }
  return formatIsoSeconds(unixSeconds);
}

/** The altitude that decides "in the air": barometric, or geometric when barometric is missing. */
export function altitudeMetres(sv: Pick<StateVector, 'baro_altitude' | 'geo_altitude'>): number | null {
  return sv.baro_altitude ?? sv.geo_altitude ?? null;
}

/**
 * The values the rules convert must give a valid output: a time in the years
 * 0000–9999, altitudes and velocity that stay finite in feet and knots.
 * Checked after the type rules, whether or not the aircraft is in the air.
 */
function outOfRange(
  timePosition: number | null | undefined,
  baroAltitude: number | null | undefined,
  velocity: number | null | undefined,
  geoAltitude: number | null | undefined,
): string | undefined {
  if (typeof timePosition === 'number' && !isIsoRange(timePosition)) return 'range:time_position';
  if (typeof baroAltitude === 'number' && !Number.isFinite(baroAltitude / METRES_PER_FOOT))
    return 'range:baro_altitude';
  if (typeof velocity === 'number' && !Number.isFinite(velocity * KNOTS_PER_METRE_PER_SECOND))
    return 'range:velocity';
  if (typeof geoAltitude === 'number' && !Number.isFinite(geoAltitude / METRES_PER_FOOT))
    return 'range:geo_altitude';
  return undefined;
}

const rangeFailure = (input: unknown, reason: string): Invalid =>
  fieldFailure(
    input,
    reason,
    reason === 'range:time_position'
      ? 'is outside the years 0000–9999'
      : 'is too large to convert to feet or knots',
  );

/** The rules, applied to validated values. Builds the record directly, in the output's key order. */
function flightRecord(
  icao24: string,
  callsign: string | null | undefined,
  originCountry: string,
  timePosition: number | null | undefined,
  longitude: number | null,
  latitude: number | null,
  baroAltitude: number | null | undefined,
  onGround: boolean,
  velocity: number | null | undefined,
  geoAltitude: number | null | undefined,
): FlightRecord | null {
  const altitude = baroAltitude ?? geoAltitude ?? null;
  if (onGround !== false || altitude === null || altitude <= 0) return null;
  const trimmed = typeof callsign === 'string' ? callsign.trim() : '';
  return {
    icao24,
    callsign: trimmed === '' ? null : trimmed,
    origin_country: originCountry,
    time_position:
      timePosition === null || timePosition === undefined ? null : formatIsoSeconds(timePosition),
    longitude,
    latitude,
    altitude_feet: Math.round(altitude / METRES_PER_FOOT),
    velocity_knots:
      velocity === null || velocity === undefined ? null : Math.round(velocity * KNOTS_PER_METRE_PER_SECOND),
  };
}

function transformRaw(raw: readonly unknown[]): FlightRecord | null | Invalid {
  if (raw.length < 17) return tooShort(raw.length);
  const reason =
    invalidRaw(raw) ??
    outOfRange(
      raw[3] as number | null,
      raw[7] as number | null,
      raw[9] as number | null,
      raw[13] as number | null,
    );
  if (reason !== undefined)
    return reason.startsWith('range:') ? rangeFailure(raw, reason) : fieldFailure(raw, reason);
  return flightRecord(
    raw[0] as string,
    raw[1] as string | null,
    raw[2] as string,
    raw[3] as number | null,
    raw[5] as number | null,
    raw[6] as number | null,
    raw[7] as number | null,
    raw[8] as boolean,
    raw[9] as number | null,
    raw[13] as number | null,
  );
}

function transformNamed(input: unknown): FlightRecord | null | Invalid {
  const invalid = namedFailure(input);
  if (invalid) return invalid;
  const sv = input as StateVector;
  const reason = outOfRange(sv.time_position, sv.baro_altitude, sv.velocity, sv.geo_altitude);
  if (reason !== undefined) return rangeFailure(sv, reason);
  return flightRecord(
    sv.icao24,
    sv.callsign,
    sv.origin_country,
    sv.time_position,
    sv.longitude,
    sv.latitude,
    sv.baro_altitude,
    sv.on_ground,
    sv.velocity,
    sv.geo_altitude,
  );
}

/** Either form → the record, `null`, or why not. Never throws. */
function transform(input: unknown): FlightRecord | null | Invalid {
  try {
    return Array.isArray(input) ? transformRaw(input) : transformNamed(input);
  } catch (error) {
    // Only input that cannot be read gets here (a throwing getter, a revoked proxy).
    return unreadable(error);
  }
}

/**
 * Like {@link transformStateVector}, but never throws: malformed input comes
 * back as `{ ok: false, reason }` so hot loops can count skips cheaply.
 */
export function tryTransformStateVector(input: unknown): TransformResult {
  const result = transform(input);
  if (result instanceof Invalid) return { ok: false, reason: result.reason, message: result.message };
  return { ok: true, record: result };
}

/**
 * Transform one OpenSky state vector (the raw array from `/states/all`, or the
 * named object as it travels on Kafka) into a {@link FlightRecord}.
 *
 * - Returns `null` when the aircraft is not in the air: `on_ground` is not
 *   `false`, or the altitude (barometric, else geometric) is missing or ≤ 0.
 * - `callsign` is trimmed (`null` when blank), `time_position` becomes
 *   ISO-8601 UTC to the second, altitude is converted to feet and velocity to
 *   knots (both rounded); other fields pass through.
 *
 * @throws {@link ValidationError} for malformed input, with a countable `reason`:
 *   the type rules of {@link checkStateVector}, and `range:<field>` for a
 *   `time_position` outside the years 0000–9999 or an altitude or velocity too
 *   large to convert. It never throws anything else.
 * @example
 * ```ts
 * transformStateVector(['4b1816', 'SWR1951 ', 'Switzerland', 1649392658, 1649392658, 3.6738, 41.8384,
 *   8534.4, false, 258.66, 66.19, 0, null, 8755.38, '5551', false, 0]);
 * // → { icao24: '4b1816', callsign: 'SWR1951', origin_country: 'Switzerland',
 * //     time_position: '2022-04-08T04:37:38Z', longitude: 3.6738, latitude: 41.8384,
 * //     altitude_feet: 28000, velocity_knots: 503 }
 * ```
 */
export function transformStateVector(input: unknown): FlightRecord | null {
  const result = transform(input);
  if (result instanceof Invalid) throw new ValidationError(result.reason, result.message);
  return result;
}
