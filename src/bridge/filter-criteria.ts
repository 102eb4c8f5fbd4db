/**
 * Lambda event filtering for a Kafka event source: `FilterCriteria` compiled
 * into a predicate over consumed records, as AWS's event source mapping
 * filters Kafka.
 *
 * What AWS documents, and this follows:
 * - "By default, you can define up to five different filters for a single event
 *   source mapping. Your filters are logically ORed together. […] If none of your
 *   filters are satisfied, Lambda discards the record." (a quota increase allows 10);
 * - "Amazon MSK and self-managed Apache Kafka event source mappings only support
 *   filtering on the value key": a pattern naming any other top-level key is
 *   rejected here, as InvalidParameterValueException would;
 * - "Kafka … messages must be UTF-8 encoded strings, either plain strings or in
 *   JSON format": a JSON value is matched as JSON (`{"value": {"device_ID": […]}}`),
 *   any other value as one plain string (`{"value": [{"anything-but": ["error"]}]}`);
 * - `Filter.Pattern` is at most 4096 characters; removing filters is `{}`.
 *
 * A record without a value (a tombstone) has no `value` field: only
 * `{"exists": false}` matches it. A value that is not valid UTF-8 matches no filter.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';
import type { ConsumedRecord } from '../handler/event.ts';
import {
  type CompiledPattern,
  compilePattern,
  type JsonNode,
  matchPattern,
  PatternError,
  parseJson,
  topLevelFields,
} from './filter-pattern.ts';

/** One filter: `Pattern` is the JSON text of an event pattern. */
export interface Filter {
  Pattern?: string;
}

/** The `FilterCriteria` of an event source mapping. */
export interface FilterCriteria {
  Filters?: Filter[];
}

/** Whether a consumed record passes the filters (and so goes to the function). */
export type RecordFilter = (record: ConsumedRecord) => boolean;

/** Options of {@link compileFilterCriteria}. */
export interface FilterCriteriaOptions {
  /** Filters allowed: AWS's default quota, which an increase raises up to 10. @default 5 */
  maxFilters?: number;
}

/** Defaults of {@link FilterCriteriaOptions}. */
export const defaultFilterCriteriaOptions = {
  maxFilters: 5,
} as const satisfies FilterCriteriaOptions;

/** Options after defaults. */
export type ResolvedFilterCriteriaOptions = Required<FilterCriteriaOptions>;

/** AWS's hard limit on filters per event source mapping (after a quota increase). */
export const MAX_FILTERS_LIMIT = 10;
/** `Filter.Pattern`'s length limit (Lambda API reference). */
export const MAX_PATTERN_LENGTH = 4096;
/** The one key Kafka event source mappings filter on. */
export const KAFKA_FILTER_KEY = 'value';

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveFilterCriteriaOptions(
  options: FilterCriteriaOptions = {},
): ResolvedFilterCriteriaOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved = { ...defaultFilterCriteriaOptions, ...given } as ResolvedFilterCriteriaOptions;
  const { maxFilters } = resolved;
  if (!Number.isInteger(maxFilters) || maxFilters < 1 || maxFilters > MAX_FILTERS_LIMIT)
    throw new ConfigError('/options/maxFilters', `must be an integer from 1 to ${MAX_FILTERS_LIMIT}`);
  return resolved;
}

const ROOT = '/FilterCriteria';

/**
 * Compile `criteria` into a {@link RecordFilter}. No criteria, `{}` or no
 * filters let every record through. Throws {@link ConfigError} naming the
 * offending filter (`/FilterCriteria/Filters/<i>/Pattern`) for an invalid one.
 *
 * @example
 * ```ts
 * const pass = compileFilterCriteria({
 *   Filters: [{ Pattern: '{ "value": { "device_ID": [{ "prefix": "AB" }] } }' }],
 * });
 * pass(record); // true when the record's JSON value has a device_ID starting with AB
 * ```
 */
export function compileFilterCriteria(
  criteria: FilterCriteria | null | undefined,
  options: FilterCriteriaOptions = {},
): RecordFilter {
  const { maxFilters } = resolveFilterCriteriaOptions(options);
  if (criteria === undefined || criteria === null) return () => true;
  if (typeof criteria !== 'object' || Array.isArray(criteria))
    throw new ConfigError(ROOT, 'must be an object');
  const filters = criteria.Filters;
  if (filters === undefined || filters === null) return () => true;
  if (!Array.isArray(filters)) throw new ConfigError(`${ROOT}/Filters`, 'must be an array');
  if (filters.length > maxFilters)
    throw new ConfigError(
      `${ROOT}/Filters`,
      `must hold at most ${maxFilters} filters, got ${filters.length}`,
    );
  if (filters.length === 0) return () => true;
  const patterns = filters.map((filter, i) => compileFilter(filter, `${ROOT}/Filters/${i}`));
  return (record) => {
    const event = recordEvent(record);
    return event !== undefined && patterns.some((pattern) => matchPattern(pattern, event));
  };
}

function compileFilter(filter: Filter, path: string): CompiledPattern {
  if (typeof filter !== 'object' || filter === null) throw new ConfigError(path, 'must be an object');
  const text = filter.Pattern;
  if (typeof text !== 'string') throw new ConfigError(`${path}/Pattern`, 'must be a string');
  if (text.length > MAX_PATTERN_LENGTH)
    throw new ConfigError(`${path}/Pattern`, `must be at most ${MAX_PATTERN_LENGTH} characters`);
  let compiled: CompiledPattern;
  try {
    compiled = compilePattern(parseJson(text));
  } catch (error) {
    const reason =
      error instanceof PatternError ? error.message : `is not JSON (${(error as Error).message})`;
    throw new ConfigError(`${path}/Pattern`, `is not a valid filter pattern: ${reason}`, { cause: error });
  }
  const other = topLevelFields(compiled).find((name) => name !== KAFKA_FILTER_KEY);
  if (other !== undefined) {
    throw new ConfigError(
      `${path}/Pattern`,
      `filters on "${other}": Kafka event source mappings only support filtering on the "value" key`,
    );
  }
  return compiled;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The record as filters see it: `{ value }` with the value parsed as JSON when
 * it is JSON, else the plain string; `{}` for a tombstone; `undefined` when the
 * value is not UTF-8 (matches nothing).
 */
function recordEvent(record: ConsumedRecord): { [key: string]: JsonNode } | undefined {
  if (record.value === null) return {};
  let text: string;
  try {
    text = utf8.decode(record.value);
  } catch {
    return undefined;
  }
  try {
    return { value: parseJson(text) };
  } catch {
    return { value: text };
  }
}
