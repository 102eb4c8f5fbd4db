/**
 * A whole readsb response → OpenSky state vectors. The same body comes in
 * three dialects: a receiver's `aircraft.json` (`{now: s, aircraft: […]}`),
 * adsb.lol and airplanes.live (`{ac: […], now: ms}`), adsb.fi
 * (`{aircraft: […], now: …}`); this reads all three.
 *
 * @module
 */
import type { SkippedRow } from '../domain/state-vector.ts';
import type { StateVector } from '../domain/types.ts';
import { describe } from '../domain/validate.ts';
import { ValidationError } from '../errors.ts';
import { aircraftToStateVector, NON_ICAO } from './aircraft.ts';

/** A parsed readsb body: the vectors, the rows left out and why. */
export interface ReadsbStates {
  /** The body's `now` in Unix seconds (fractions kept), or the local clock when it had none. */
  now: number;
  states: StateVector[];
  /** Malformed rows, left out. */
  skipped: SkippedRow[];
  /** Rows with a non-ICAO (`~`) address, left out (unless kept). */
  nonIcao: number;
}

/** `now` values above this are milliseconds (year 5138 in seconds, 1973 in milliseconds). */
const MILLISECONDS_ABOVE = 1e11;

/**
 * Parse a readsb body (already JSON-decoded). Malformed rows are skipped and
 * listed; a body that is not an object with an aircraft list (`aircraft` or
 * `ac`) throws {@link ValidationError}. `now` may be seconds (receivers) or
 * milliseconds (the v2 APIs); without one, `clock()` stands in.
 */
export function parseReadsbBody(
  body: unknown,
  options: { keepNonIcao?: boolean; clock?: () => number } = {},
): ReadsbStates {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError(
      'response:not-object',
      `a readsb response must be an object, got ${describe(body)}`,
    );
  const { now: rawNow, aircraft, ac } = body as { now?: unknown; aircraft?: unknown; ac?: unknown };
  const rows = aircraft ?? ac;
  // The v2 APIs answer an empty area with `ac: null` (or leave the list out): no aircraft, not an error.
  if (rows !== null && rows !== undefined && !Array.isArray(rows))
    throw new ValidationError(
      'response:aircraft',
      `'aircraft' / 'ac' must be an array, got ${describe(rows)}`,
    );
  if (
    rawNow !== undefined &&
    rawNow !== null &&
    !(typeof rawNow === 'number' && Number.isFinite(rawNow) && rawNow > 0)
  )
    throw new ValidationError('response:now', `'now' must be a positive number, got ${describe(rawNow)}`);
  if (rows === undefined && rawNow === undefined)
    throw new ValidationError('response:aircraft', "a readsb response needs 'aircraft' or 'ac'");
  const now =
    typeof rawNow === 'number'
      ? rawNow > MILLISECONDS_ABOVE
        ? rawNow / 1000
        : rawNow
      : (options.clock ?? Date.now)() / 1000;
  const states: StateVector[] = [];
  const skipped: SkippedRow[] = [];
  let nonIcao = 0;
  const list: unknown[] = rows ?? [];
  for (let index = 0; index < list.length; index++) {
    const result = aircraftToStateVector(list[index], { now, keepNonIcao: options.keepNonIcao ?? false });
    if (result.ok) states.push(result.value);
    else if (result.reason === NON_ICAO) nonIcao++;
    else skipped.push({ index, reason: result.reason, message: result.message });
  }
  return { now, states, skipped, nonIcao };
}
