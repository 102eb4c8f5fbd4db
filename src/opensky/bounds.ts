/**
 * Length bounds on a state vector's string fields. The schema says only
 * "a string", so a row with a callsign of megabytes is valid to it, and would
 * become a Kafka message (and an SNS notification) no broker or topic accepts,
 * failing the sink for everyone. The source skips such rows, counted, as it
 * skips any other malformed row.
 *
 * @module
 */
import type { ParsedStates } from '../domain/state-vector.ts';
import type { StateVector } from '../domain/types.ts';

/** The string fields of a state vector, each bounded. */
const STRING_FIELDS = ['icao24', 'callsign', 'origin_country', 'squawk'] as const;

/** The first string field of `sv` longer than `max` characters, or `undefined`. */
export function oversizedField(sv: StateVector, max: number): (typeof STRING_FIELDS)[number] | undefined {
  return STRING_FIELDS.find((field) => {
    const value = sv[field];
    return typeof value === 'string' && value.length > max;
  });
}

/**
 * `parsed` without the rows whose string fields exceed `max` characters, which join the
 * skipped rows with reason `length:<field>` (their index is their place among the states).
 */
export function boundFields(parsed: ParsedStates, max: number): ParsedStates {
  const { response, skipped } = parsed;
  if (!response.states.some((sv) => oversizedField(sv, max) !== undefined)) return parsed;
  const states: StateVector[] = [];
  const tooLong = [...skipped];
  response.states.forEach((sv, index) => {
    const field = oversizedField(sv, max);
    if (field === undefined) states.push(sv);
    else
      tooLong.push({
        index,
        reason: `length:${field}`,
        message: `state vector field '${field}' is ${sv[field]?.length} characters long, at most ${max} allowed`,
      });
  });
  return { response: { ...response, states }, skipped: tooLong };
}
