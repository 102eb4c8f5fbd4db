/**
 * The field rules of a state vector, written out once for both input forms
 * (raw array and named object): the callers pass the values, so neither form
 * builds an intermediate object or loops over a field table. Internal.
 *
 * @module
 */
import { STATE_VECTOR_FIELDS } from './types.ts';

/** A rejected input: a countable reason and a message for people. Only built on the rare failure path. */
export class Invalid {
  readonly reason: string;
  readonly message: string;
  constructor(reason: string, message: string) {
    this.reason = reason;
    this.message = message;
  }
}

interface Reasons {
  type: string;
  notFinite: string;
}

// The reason strings, built once rather than per failure.
const reasonsOf = (field: string): Reasons => ({ type: `type:${field}`, notFinite: `not-finite:${field}` });
const R = {
  icao24: reasonsOf('icao24'),
  callsign: reasonsOf('callsign'),
  origin_country: reasonsOf('origin_country'),
  time_position: reasonsOf('time_position'),
  last_contact: reasonsOf('last_contact'),
  longitude: reasonsOf('longitude'),
  latitude: reasonsOf('latitude'),
  baro_altitude: reasonsOf('baro_altitude'),
  on_ground: reasonsOf('on_ground'),
  velocity: reasonsOf('velocity'),
  true_track: reasonsOf('true_track'),
  vertical_rate: reasonsOf('vertical_rate'),
  sensors: reasonsOf('sensors'),
  geo_altitude: reasonsOf('geo_altitude'),
  squawk: reasonsOf('squawk'),
  spi: reasonsOf('spi'),
  position_source: reasonsOf('position_source'),
  category: reasonsOf('category'),
};

const missing = (value: unknown): value is null | undefined => value === null || value === undefined;

/** A string; `null` and `undefined` pass when `nullable`. */
const string = (value: unknown, nullable: boolean, r: Reasons): string | undefined =>
  missing(value) ? (nullable ? undefined : r.type) : typeof value === 'string' ? undefined : r.type;

const boolean = (value: unknown, r: Reasons): string | undefined =>
  typeof value === 'boolean' ? undefined : r.type;

/** A finite number; `null` and `undefined` pass when `nullable`. */
const number = (value: unknown, nullable: boolean, r: Reasons): string | undefined => {
  if (missing(value)) return nullable ? undefined : r.type;
  if (typeof value !== 'number') return r.type;
  return Number.isFinite(value) ? undefined : r.notFinite;
};

/** A finite integer, never missing. */
const integer = (value: unknown, r: Reasons): string | undefined => {
  if (typeof value !== 'number') return r.type;
  if (!Number.isFinite(value)) return r.notFinite;
  return Number.isInteger(value) ? undefined : r.type;
};

/** Null, or an array of integers; holes are skipped, as Array.prototype.every does. */
const sensorList = (value: unknown): string | undefined =>
  missing(value) || (Array.isArray(value) && value.every(Number.isInteger)) ? undefined : R.sensors.type;

/** Absent, null or an integer; any failure is reported as `type:category`. */
const categoryCode = (value: unknown): string | undefined =>
  missing(value) || integer(value, R.category) === undefined ? undefined : R.category.type;

/**
 * The reason the first invalid field fails, or `undefined` when all are valid.
 * Order: the fields in the API's order except `sensors`, then `sensors`, then
 * `category` (the order reasons have always been reported in). Strings and
 * booleans by `typeof`; numbers finite; `position_source` an integer; nullable
 * fields accept `null` and `undefined`; `sensors` null or an array of integers;
 * `category` absent, null or an integer.
 */
export function invalidField(
  icao24: unknown,
  callsign: unknown,
  originCountry: unknown,
  timePosition: unknown,
  lastContact: unknown,
  longitude: unknown,
  latitude: unknown,
  baroAltitude: unknown,
  onGround: unknown,
  velocity: unknown,
  trueTrack: unknown,
  verticalRate: unknown,
  sensors: unknown,
  geoAltitude: unknown,
  squawk: unknown,
  spi: unknown,
  positionSource: unknown,
  category: unknown,
): string | undefined {
  return (
    string(icao24, false, R.icao24) ??
    string(callsign, true, R.callsign) ??
    string(originCountry, false, R.origin_country) ??
    number(timePosition, true, R.time_position) ??
    number(lastContact, false, R.last_contact) ??
    number(longitude, true, R.longitude) ??
    number(latitude, true, R.latitude) ??
    number(baroAltitude, true, R.baro_altitude) ??
    boolean(onGround, R.on_ground) ??
    number(velocity, true, R.velocity) ??
    number(trueTrack, true, R.true_track) ??
    number(verticalRate, true, R.vertical_rate) ??
    number(geoAltitude, true, R.geo_altitude) ??
    string(squawk, true, R.squawk) ??
    boolean(spi, R.spi) ??
    integer(positionSource, R.position_source) ??
    sensorList(sensors) ??
    categoryCode(category)
  );
}

/** The first invalid field of a raw array of at least 17 values (see {@link invalidField}). */
export const invalidRaw = (raw: readonly unknown[]): string | undefined =>
  invalidField(
    raw[0],
    raw[1],
    raw[2],
    raw[3],
    raw[4],
    raw[5],
    raw[6],
    raw[7],
    raw[8],
    raw[9],
    raw[10],
    raw[11],
    raw[12],
    raw[13],
    raw[14],
    raw[15],
    raw[16],
    raw.length > 17 ? raw[17] : undefined,
  );

/** The first invalid field of a named state vector (see {@link invalidField}). */
export const invalidNamed = (r: Record<string, unknown>): string | undefined =>
  invalidField(
    r.icao24,
    r.callsign,
    r.origin_country,
    r.time_position,
    r.last_contact,
    r.longitude,
    r.latitude,
    r.baro_altitude,
    r.on_ground,
    r.velocity,
    r.true_track,
    r.vertical_rate,
    r.sensors,
    r.geo_altitude,
    r.squawk,
    r.spi,
    r.position_source,
    r.category,
  );

/** Anything that is not a plain object (or is an array) cannot be a named state vector. */
export const isNamedInput = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

export const notObject = (input: unknown): Invalid =>
  new Invalid('not-object', `a state vector must be an object or an array, got ${describe(input)}`);

export const notArray = (input: unknown): Invalid =>
  new Invalid('not-array', `a raw state vector must be an array, got ${describe(input)}`);

export const tooShort = (length: number): Invalid =>
  new Invalid('length', `a raw state vector has 17 or 18 fields, got ${length}`);

/** The failure for `reason` (`type:…`, `not-finite:…` or `range:…`), with the offending value in the message. */
export function fieldFailure(input: unknown, reason: string, explain = 'is invalid'): Invalid {
  const field = reason.slice(reason.indexOf(':') + 1);
  const value = Array.isArray(input)
    ? input[STATE_VECTOR_FIELDS.indexOf(field as 'icao24')]
    : (input as Record<string, unknown>)[field];
  return new Invalid(reason, `state vector field '${field}' ${explain}: ${describe(value)}`);
}

/** For failures outside the rules: the input could not even be read (a throwing getter, a revoked proxy). */
export const unreadable = (error: unknown): Invalid =>
  new Invalid('unreadable', `the state vector could not be read: ${describe(errorMessage(error))}`);

function errorMessage(error: unknown): unknown {
  try {
    return error instanceof Error ? error.message : error;
  } catch {
    return undefined;
  }
}

/** A short, safe description of a value for messages: never throws, never long. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
      return Number.isFinite(value) ? `number ${value}` : String(value);
    case 'boolean':
    case 'undefined':
      return `${typeof value} ${String(value)}`;
    case 'bigint':
      return `bigint ${value.toString().slice(0, 40)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      try {
        return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
      } catch {
        return 'an object';
      }
  }
}
