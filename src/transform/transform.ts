/**
 * The processing step of the reference pipeline, and its single source of
 * truth: the library, the in-process pipeline and the Lambda handler all call
 * these functions.
 *
 * @module
 */
import { ValidationError } from '../errors.ts';
import { checkStateVector, checkStateVectorArray, type InvalidReason } from './state-vector.ts';
import type { FlightRecord, StateVector } from './types.ts';

const METRES_PER_FOOT = 0.3048;
const KNOTS_PER_METRE_PER_SECOND = 3600 / 1852;

/** The result of {@link tryTransformStateVector}. */
export type TransformResult =
  | { ok: true; record: FlightRecord | null }
  | { ok: false; reason: InvalidReason; message: string };

/** Unix seconds → `2024-08-01T12:34:56Z` (UTC, whole seconds). */
export function toIsoSeconds(unixSeconds: number): string {
  return `${new Date(Math.floor(unixSeconds) * 1000).toISOString().slice(0, 19)}Z`;
}

/** The altitude that decides "in the air": barometric, or geometric when barometric is missing. */
export function altitudeMetres(sv: Pick<StateVector, 'baro_altitude' | 'geo_altitude'>): number | null {
  return sv.baro_altitude ?? sv.geo_altitude ?? null;
}

/** The rules, applied to an already validated state vector. */
function toFlightRecord(sv: StateVector): FlightRecord | null {
  const altitude = altitudeMetres(sv);
  if (sv.on_ground !== false || altitude === null || altitude <= 0) return null;
  const callsign = sv.callsign?.trim();
  return {
    icao24: sv.icao24,
    callsign: callsign ? callsign : null,
    origin_country: sv.origin_country,
    time_position: sv.time_position === null ? null : toIsoSeconds(sv.time_position),
    longitude: sv.longitude,
    latitude: sv.latitude,
    altitude_feet: Math.round(altitude / METRES_PER_FOOT),
    velocity_knots: sv.velocity === null ? null : Math.round(sv.velocity * KNOTS_PER_METRE_PER_SECOND),
  };
}

/**
 * Like {@link transformStateVector}, but never throws: malformed input comes
 * back as `{ ok: false, reason }` so hot loops can count skips cheaply.
 */
export function tryTransformStateVector(input: unknown): TransformResult {
  const checked = Array.isArray(input) ? checkStateVectorArray(input) : checkStateVector(input);
  if (!checked.ok) return checked;
  return { ok: true, record: toFlightRecord(checked.value) };
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
 * @throws {@link ValidationError} for malformed input, with a countable `reason`.
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
  const result = tryTransformStateVector(input);
  if (!result.ok) throw new ValidationError(result.reason, result.message);
  return result.record;
}
