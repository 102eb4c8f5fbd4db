/**
 * One aircraft of readsb's JSON (`aircraft.json` of a local receiver, and the
 * `ac` / `aircraft` lists of the community APIs built on readsb) → an OpenSky
 * state vector, in OpenSky's units (m, m/s, Unix seconds), with the
 * `origin_country` OpenSky would give it.
 *
 * Field meanings are readsb's (README-json.md): `hex` (a leading `~` marks a
 * non-ICAO address), `flight` (8 characters), `alt_baro` (ft, or `"ground"`),
 * `alt_geom` (ft), `gs` (kn), `track` (°), `baro_rate` / `geom_rate` (ft/min),
 * `lat` / `lon`, `seen_pos` / `seen` (s before `now`), `squawk`, `category`
 * (A0–D7), `type` (`adsb_icao`, `mlat`, `tisb_other`…), `spi`. Keys are left
 * out when readsb has no data, so every one is optional except `hex`.
 *
 * @module
 */
import { countryOfIcao24 } from '../domain/country.ts';
import type { Checked } from '../domain/state-vector.ts';
import type { StateVector } from '../domain/types.ts';
import { describe } from '../domain/validate.ts';

/** Feet → metres (exact, by definition of the international foot). */
export const METRES_PER_FOOT = 0.3048;
/** Knots → m/s (exact: one nautical mile is 1,852 m). */
export const METRES_PER_SECOND_PER_KNOT = 1852 / 3600;
/** Feet per minute → m/s (0.3048 / 60, exact). */
export const METRES_PER_SECOND_PER_FPM = 0.00508;

/** The reason a row that is a non-ICAO (`~`) address was left out; counted apart from malformed rows. */
export const NON_ICAO = 'non-icao';

/** What {@link aircraftToStateVector} needs besides the row. */
export interface AircraftConversion {
  /** The response's `now`, in Unix seconds (fractions allowed). */
  now: number;
  /**
   * Keep rows whose `hex` starts with `~` (non-ICAO addresses: TIS-B tracks,
   * anonymised ADS-B) with the `~` kept in `icao24`. @default false
   */
  keepNonIcao?: boolean;
}

/**
 * OpenSky's aircraft category from readsb's emitter category (DO-260B sets
 * A–D): A0/B0/C0 "no category information" → 1; A1–A7 → 2–8 (light … rotorcraft);
 * B1–B7 → 9–15 (glider … space vehicle); C1–C5 → 16–20 (surface vehicles,
 * obstacles); a missing, reserved (C6, C7, set D) or unknown code → 0 ("no
 * information at all").
 */
export function categoryOfEmitter(code: unknown): number {
  if (typeof code !== 'string' || code.length !== 2) return 0;
  const set = code[0];
  const n = code.charCodeAt(1) - 48;
  if (n < 0 || n > 7) return 0;
  if (n === 0 && (set === 'A' || set === 'B' || set === 'C')) return 1;
  if (set === 'A') return 1 + n;
  if (set === 'B') return 8 + n;
  if (set === 'C' && n <= 5) return 15 + n;
  return 0;
}

/** Two decimals: conversions by inexact factors otherwise leave float noise (10668.000000000002). */
const round2 = (value: number): number => Math.round(value * 100) / 100;

type Row = Record<string, unknown>;

const fail = (reason: string, message: string): { ok: false; reason: string; message: string } => ({
  ok: false,
  reason,
  message,
});

/** The first optional numeric field that is present but not a finite number. */
function badNumber(row: Row): string | undefined {
  for (const field of [
    'alt_geom',
    'gs',
    'track',
    'baro_rate',
    'geom_rate',
    'lat',
    'lon',
    'seen_pos',
    'seen',
  ]) {
    const value = row[field];
    if (value !== undefined && value !== null && !(typeof value === 'number' && Number.isFinite(value)))
      return field;
  }
  return undefined;
}

/** A number field, `null` when absent. */
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * One readsb aircraft → a state vector (18 fields: `category` included, since
 * readsb always says what it knows of it), or why the row was left out:
 * `non-icao` for a `~` address (unless `keepNonIcao`), `not-object`,
 * `type:<field>` for a field of the wrong type. Never throws.
 *
 * `time_position` and `last_contact` are `now − seen_pos` and `now − seen`
 * rounded to whole seconds (OpenSky's are integers); altitudes, speeds and
 * rates are converted and kept to two decimals.
 */
export function aircraftToStateVector(row: unknown, conversion: AircraftConversion): Checked<StateVector> {
  try {
    return convert(row, conversion);
  } catch (error) {
    return fail('unreadable', `the aircraft could not be read: ${describe((error as Error)?.message)}`);
  }
}

function convert(input: unknown, { now, keepNonIcao = false }: AircraftConversion): Checked<StateVector> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return fail('not-object', `an aircraft must be an object, got ${describe(input)}`);
  const row = input as Row;
  const hex = row.hex;
  if (typeof hex !== 'string' || !/^~?[0-9a-fA-F]{6}$/.test(hex))
    return fail('type:hex', `'hex' must be 6 hex digits (or ~ and 6), got ${describe(hex)}`);
  const nonIcao = hex.startsWith('~');
  if (nonIcao && !keepNonIcao) return fail(NON_ICAO, `'${hex}' is not an ICAO address`);
  const field = badNumber(row);
  if (field) return fail(`type:${field}`, `'${field}' must be a number, got ${describe(row[field])}`);
  const altBaro = row.alt_baro;
  if (altBaro !== undefined && altBaro !== null && altBaro !== 'ground' && !Number.isFinite(altBaro))
    return fail('type:alt_baro', `'alt_baro' must be a number or "ground", got ${describe(altBaro)}`);
  for (const key of ['flight', 'squawk'] as const) {
    if (row[key] !== undefined && row[key] !== null && typeof row[key] !== 'string')
      return fail(`type:${key}`, `'${key}' must be a string, got ${describe(row[key])}`);
  }

  const icao24 = hex.toLowerCase();
  const lat = num(row.lat);
  const lon = num(row.lon);
  const positioned = lat !== null && lon !== null;
  const seen = num(row.seen) ?? 0;
  const seenPos = num(row.seen_pos) ?? seen;
  const onGround = altBaro === 'ground';
  const rate = num(row.baro_rate) ?? num(row.geom_rate);
  const altGeom = num(row.alt_geom);
  const gs = num(row.gs);
  const mlat = row.type === 'mlat' || (Array.isArray(row.mlat) && row.mlat.includes('lat'));
  return {
    ok: true,
    value: {
      icao24,
      callsign: typeof row.flight === 'string' ? row.flight : null,
      origin_country: nonIcao ? '' : (countryOfIcao24(icao24) ?? ''),
      time_position: positioned ? Math.round(now - seenPos) : null,
      last_contact: Math.round(now - seen),
      longitude: positioned ? lon : null,
      latitude: positioned ? lat : null,
      baro_altitude: typeof altBaro === 'number' ? round2(altBaro * METRES_PER_FOOT) : null,
      on_ground: onGround,
      velocity: gs === null ? null : round2(gs * METRES_PER_SECOND_PER_KNOT),
      true_track: num(row.track),
      vertical_rate: rate === null ? null : round2(rate * METRES_PER_SECOND_PER_FPM),
      sensors: null,
      geo_altitude: altGeom === null ? null : round2(altGeom * METRES_PER_FOOT),
      squawk: typeof row.squawk === 'string' ? row.squawk : null,
      spi: row.spi === 1 || row.spi === true,
      position_source: mlat ? 2 : 0,
      category: categoryOfEmitter(row.category),
    },
  };
}
