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

/** Why a value was rejected: `length`, `not-object`, `type:<field>`, `not-finite:<field>`, … */
export type InvalidReason = string;

/** The result of a check that does not throw. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: InvalidReason; message: string };

const fail = (
  reason: InvalidReason,
  message: string,
): { ok: false; reason: InvalidReason; message: string } => ({
  ok: false,
  reason,
  message,
});

type Kind = 'string' | 'number' | 'integer' | 'boolean';

// Field → [kind, nullable]. `sensors` and `category` are checked separately.
const FIELD_KINDS: Record<Exclude<keyof StateVector, 'sensors' | 'category'>, [Kind, boolean]> = {
  icao24: ['string', false],
  callsign: ['string', true],
  origin_country: ['string', false],
  time_position: ['number', true],
  last_contact: ['number', false],
  longitude: ['number', true],
  latitude: ['number', true],
  baro_altitude: ['number', true],
  on_ground: ['boolean', false],
  velocity: ['number', true],
  true_track: ['number', true],
  vertical_rate: ['number', true],
  geo_altitude: ['number', true],
  squawk: ['string', true],
  spi: ['boolean', false],
  position_source: ['integer', false],
};

function checkField(field: string, value: unknown, kind: Kind, nullable: boolean): string | undefined {
  if (value === null || value === undefined) return nullable ? undefined : `type:${field}`;
  if (kind === 'number' || kind === 'integer') {
    if (typeof value !== 'number') return `type:${field}`;
    if (!Number.isFinite(value)) return `not-finite:${field}`;
    if (kind === 'integer' && !Number.isInteger(value)) return `type:${field}`;
    return undefined;
  }
  return typeof value === kind ? undefined : `type:${field}`;
}

/**
 * Validate a named state vector without throwing. Extra properties (such as
 * `snapshot_time`) are allowed and ignored.
 */
export function checkStateVector(input: unknown): Checked<StateVector> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('not-object', `a state vector must be an object or an array, got ${describe(input)}`);
  }
  const record = input as Record<string, unknown>;
  for (const [field, [kind, nullable]] of Object.entries(FIELD_KINDS)) {
    const reason = checkField(field, record[field], kind, nullable);
    if (reason) return fail(reason, `state vector field '${field}' is invalid: ${describe(record[field])}`);
  }
  const sensors = record.sensors;
  if (
    sensors !== null &&
    sensors !== undefined &&
    !(Array.isArray(sensors) && sensors.every(Number.isInteger))
  ) {
    return fail('type:sensors', `state vector field 'sensors' is invalid: ${describe(sensors)}`);
  }
  const category = record.category;
  if (category !== undefined && checkField('category', category, 'integer', true)) {
    return fail('type:category', `state vector field 'category' is invalid: ${describe(category)}`);
  }
  return { ok: true, value: record as unknown as StateVector };
}

/**
 * Read a raw state vector array (17 fields, or 18 with `extended=1`; extra
 * trailing fields are tolerated) into a named object, without throwing.
 */
export function checkStateVectorArray(raw: unknown): Checked<StateVector> {
  if (!Array.isArray(raw))
    return fail('not-array', `a raw state vector must be an array, got ${describe(raw)}`);
  if (raw.length < 17) return fail('length', `a raw state vector has 17 or 18 fields, got ${raw.length}`);
  const named: Record<string, unknown> = {};
  for (let i = 0; i < 17; i++) named[STATE_VECTOR_FIELDS[i]!] = raw[i];
  if (raw.length > 17) named.category = raw[17];
  return checkStateVector(named);
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
  (states ?? []).forEach((row: unknown, index: number) => {
    const checked = checkStateVectorArray(row);
    if (checked.ok) good.push(checked.value);
    else skipped.push({ index, reason: checked.reason, message: checked.message });
  });
  return { response: { time, states: good }, skipped };
}

function unwrap<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  throw new ValidationError(checked.reason, checked.message);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
