/**
 * Parsing OpenSky state vectors: raw arrays ↔ named objects, and whole
 * `/api/states/all` responses. Validation is by index and type; a malformed
 * row gives a countable reason, never a bare TypeError.
 *
 * @module
 */
import { ValidationError } from '../errors.ts';
import {
  STATE_VECTOR_FIELDS,
  type StatesResponse,
  type StateVector,
  type StateVectorMessage,
} from './types.ts';
import {
  describe,
  fieldFailure,
  Invalid,
  invalidNamed,
  invalidRaw,
  isNamedInput,
  notArray,
  notObject,
  tooShort,
  unreadable,
} from './validate.ts';

/**
 * Why a value was rejected: `not-object`, `not-array`, `length`, `type:<field>`,
 * `not-finite:<field>`; from the transform also `range:<field>` (a value it
 * cannot convert); `unreadable` when reading the input itself threw.
 */
export type InvalidReason = string;

/** The result of a check that does not throw. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: InvalidReason; message: string };

const fail = (invalid: Invalid): { ok: false; reason: InvalidReason; message: string } => ({
  ok: false,
  reason: invalid.reason,
  message: invalid.message,
});

/** A named state vector's failure, or `undefined` when it is valid. Never throws for readable input. */
export function namedFailure(input: unknown): Invalid | undefined {
  if (!isNamedInput(input)) return notObject(input);
  const reason = invalidNamed(input);
  return reason === undefined ? undefined : fieldFailure(input, reason);
}

/**
 * A raw array → a new named object (keys in the API's order; `category` only
 * when the array has an 18th value), or its failure.
 */
function namedFromArray(raw: unknown): StateVector | Invalid {
  if (!Array.isArray(raw)) return notArray(raw);
  if (raw.length < 17) return tooShort(raw.length);
  const reason = invalidRaw(raw);
  if (reason !== undefined) return fieldFailure(raw, reason);
  // One literal rather than assignments in a loop: every vector gets one of two fixed shapes
  // (with `extended=1`, the same shape plus `category`).
  const named = {
    icao24: raw[0],
    callsign: raw[1],
    origin_country: raw[2],
    time_position: raw[3],
    last_contact: raw[4],
    longitude: raw[5],
    latitude: raw[6],
    baro_altitude: raw[7],
    on_ground: raw[8],
    velocity: raw[9],
    true_track: raw[10],
    vertical_rate: raw[11],
    sensors: raw[12],
    geo_altitude: raw[13],
    squawk: raw[14],
    spi: raw[15],
    position_source: raw[16],
  } as StateVector;
  if (raw.length > 17) named.category = raw[17] as StateVector['category'];
  return named;
}

/**
 * Validate a named state vector without throwing. Extra properties (such as
 * `snapshot_time`) are allowed and ignored.
 */
export function checkStateVector(input: unknown): Checked<StateVector> {
  let invalid: Invalid | undefined;
  try {
    invalid = namedFailure(input);
  } catch (error) {
    invalid = unreadable(error);
  }
  return invalid ? fail(invalid) : { ok: true, value: input as StateVector };
}

/**
 * Read a raw state vector array (17 fields, or 18 with `extended=1`; extra
 * trailing fields are tolerated) into a named object, without throwing.
 */
export function checkStateVectorArray(raw: unknown): Checked<StateVector> {
  let result: StateVector | Invalid;
  try {
    result = namedFromArray(raw);
  } catch (error) {
    result = unreadable(error);
  }
  return result instanceof Invalid ? fail(result) : { ok: true, value: result };
}

/** A raw array or a named object → a validated named state vector. Throws {@link ValidationError}. */
export function stateVectorFromArray(raw: unknown): StateVector {
  return unwrap(checkStateVectorArray(raw));
}

/** The named form back to the API's array form (17 fields, 18 when `category` is present). */
export function stateVectorToArray(sv: StateVector): unknown[] {
  const fields = sv.category === undefined ? STATE_VECTOR_FIELDS.slice(0, 17) : STATE_VECTOR_FIELDS;
  return fields.map((field) => sv[field] ?? null);
}

/** A state vector as it travels on Kafka: the named fields plus the snapshot's time. */
export function toStateVectorMessage(sv: StateVector, snapshotTime: number): StateVectorMessage {
  return { ...sv, snapshot_time: snapshotTime };
}

/** A row of a response that was skipped, and why. */
export interface SkippedRow {
  index: number;
  reason: InvalidReason;
  message: string;
}

/** The result of {@link parseStatesResponse}: the good rows, and the skipped ones counted. */
export interface ParsedStates {
  response: StatesResponse;
  skipped: SkippedRow[];
}

/**
 * Parse a `/api/states/all` body (already JSON-decoded). `states: null` means
 * no aircraft. Malformed rows are skipped and listed; a malformed top level
 * throws {@link ValidationError}.
 */
export function parseStatesResponse(body: unknown): ParsedStates {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(
      'response:not-object',
      `a /states/all response must be an object, got ${describe(body)}`,
    );
  }
  const { time, states } = body as { time?: unknown; states?: unknown };
  if (typeof time !== 'number' || !Number.isInteger(time)) {
    throw new ValidationError(
      'response:time',
      `a /states/all response needs an integer 'time', got ${describe(time)}`,
    );
  }
  if (states !== null && states !== undefined && !Array.isArray(states)) {
    throw new ValidationError(
      'response:states',
      `'states' must be an array or null, got ${describe(states)}`,
    );
  }
  const good: StateVector[] = [];
  const skipped: SkippedRow[] = [];
  const rows: unknown[] = states ?? [];
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    if (row === undefined && !(index in rows)) continue; // a hole: skipped silently, as forEach did
    let result: StateVector | Invalid;
    try {
      result = namedFromArray(row);
    } catch (error) {
      result = unreadable(error);
    }
    if (result instanceof Invalid) skipped.push({ index, reason: result.reason, message: result.message });
    else good.push(result);
  }
  return { response: { time, states: good }, skipped };
}

function unwrap<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  throw new ValidationError(checked.reason, checked.message);
}
