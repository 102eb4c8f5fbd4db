/**
 * Event patterns, the rule language of Lambda event filtering (AWS: "For
 * filter rules, Lambda supports the same set of syntax and rules as Amazon
 * EventBridge"): compiled once, then matched against parsed JSON.
 *
 * What a pattern means, as AWS documents it (EventBridge "Comparison
 * operators", the Event Ruler README):
 * - every field named in a pattern must match (AND); the values listed for a
 *   field are alternatives (OR); `$or` lists two or more alternative sub-patterns;
 * - a field's rules test its leaf values; an array in the data matches when
 *   any element does, and a nested pattern must be met within one element;
 * - strings match exactly, character by character; numbers match exactly by
 *   their text ("300, 300.0, and 3.0e2 are not considered equal", Lambda);
 *   `numeric` compares values between -5e9 and 5e9 to 6 decimal places;
 * - `prefix`, `suffix`, `equals-ignore-case` and `wildcard` test strings only;
 *   `anything-but` matches any present value except those it names;
 *   `exists` tests whether a field has a leaf value at all.
 *
 * @module
 */

/** A JSON number with the text it was written as (exact matching compares the text). */
export class JsonNumber {
  readonly value: number;
  readonly raw: string;
  constructor(value: number, raw: string) {
    this.value = value;
    this.raw = raw;
  }
}

/** Parsed JSON whose numbers keep their source text. */
export type JsonNode = string | boolean | null | JsonNumber | JsonNode[] | { [key: string]: JsonNode };
type Leaf = string | boolean | null | JsonNumber;
type JsonObject = { [key: string]: JsonNode };

/**
 * Parse JSON keeping each number's source text (JSON.parse's reviver context,
 * Node ≥ 21). Throws `SyntaxError` for text that is not JSON.
 */
export function parseJson(text: string): JsonNode {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' ? new JsonNumber(value, context?.source ?? String(value)) : value,
  ) as JsonNode;
}

/** An invalid pattern; `where` is the dotted path of the offending field. */
export class PatternError extends Error {
  readonly where: string;
  constructor(message: string, where: string) {
    super(where ? `${message} (at ${where})` : message);
    this.name = 'PatternError';
    this.where = where;
  }
}

/** One alternative listed for a field. */
interface Rule {
  /** `exists: true` / `false` tests presence, not values. */
  exists?: boolean;
  test(leaf: Leaf): boolean;
}

/** A compiled (sub-)pattern: fields that must all match, and `$or` groups of which one alternative must. */
export interface CompiledPattern {
  fields: Array<{ name: string; rules: Rule[] } | { name: string; pattern: CompiledPattern }>;
  or: CompiledPattern[][];
}

const OR = '$or';
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
]);
// Numeric matching works on values in this range, to 6 decimal places (Event Ruler's ComparableNumber).
const NUMERIC_LIMIT = 5e9;

const isObject = (node: unknown): node is JsonObject =>
  typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof JsonNumber);
const isString = (node: unknown): node is string => typeof node === 'string';

/** Compile a parsed pattern (the top level must be an object); throws {@link PatternError}. */
export function compilePattern(pattern: JsonNode): CompiledPattern {
  if (!isObject(pattern)) throw new PatternError('the pattern must be a JSON object', '');
  return compileObject(pattern, '', false);
}

function compileObject(node: JsonObject, where: string, inOr: boolean): CompiledPattern {
  const compiled: CompiledPattern = { fields: [], or: [] };
  const names = Object.keys(node);
  if (names.length === 0) throw new PatternError('empty objects are not allowed', where);
  for (const name of names) {
    const at = where ? `${where}.${name}` : name;
    const value = node[name]!;
    if (name === OR) {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject))
        throw new PatternError('$or must be an array of at least 2 objects', at);
      compiled.or.push(value.map((alt, i) => compileObject(alt as JsonObject, `${at}[${i}]`, true)));
      continue;
    }
    if (inOr && OPERATORS.has(name))
      throw new PatternError(`"${name}" is a reserved name and cannot be a field inside $or`, at);
    if (isObject(value)) compiled.fields.push({ name, pattern: compileObject(value, at, inOr) });
    else if (Array.isArray(value)) compiled.fields.push({ name, rules: compileRules(value, at) });
    else throw new PatternError(`"${name}" must be an object or an array`, at);
  }
  return compiled;
}

function compileRules(values: JsonNode[], where: string): Rule[] {
  if (values.length === 0) throw new PatternError('empty arrays are not allowed', where);
  return values.map((value, i) => {
    const at = `${where}[${i}]`;
    if (isObject(value)) return compileOperator(value, at);
    if (Array.isArray(value))
      throw new PatternError('a match value must be a string, number, true, false or null', at);
    return exactRule(value);
  });
}

/** Exact match: same type, same text (a number's source text, as Lambda documents). */
function exactRule(expected: Leaf): Rule {
  if (expected instanceof JsonNumber)
    return { test: (leaf) => leaf instanceof JsonNumber && leaf.raw === expected.raw };
  return { test: (leaf) => leaf === expected };
}

function compileOperator(node: JsonObject, where: string): Rule {
  const keys = Object.keys(node);
  if (keys.length !== 1) throw new PatternError('a match expression must have exactly one key', where);
  const op = keys[0]!;
  const arg = node[op]!;
  const at = `${where}.${op}`;
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      return stringRule(op, arg, at);
    case 'wildcard': {
      if (!isString(arg)) throw new PatternError('wildcard must be a string', at);
      const regex = wildcardRegex(arg, at);
      return { test: (leaf) => isString(leaf) && regex.test(leaf) };
    }
    case 'numeric':
      return numericRule(arg, at);
    case 'exists':
      if (typeof arg !== 'boolean') throw new PatternError('exists must be true or false', at);
      return { exists: arg, test: () => arg };
    case 'anything-but':
      return anythingButRule(arg, at);
    default:
      throw new PatternError(`unrecognized match type "${op}"`, at);
  }
}

const lower = (s: string) => s.toLowerCase();
const sameIgnoringCase = (a: string, b: string) =>
  lower(a) === lower(b) || a.toUpperCase() === b.toUpperCase();

/** `prefix` / `suffix` / `equals-ignore-case`, prefix and suffix also as `{ "equals-ignore-case": "…" }`. */
function stringRule(op: 'prefix' | 'suffix' | 'equals-ignore-case', arg: JsonNode, at: string): Rule {
  let text: string;
  let ignoreCase = op === 'equals-ignore-case';
  if (op !== 'equals-ignore-case' && isObject(arg)) {
    const inner = arg['equals-ignore-case'];
    if (Object.keys(arg).length !== 1 || !isString(inner))
      throw new PatternError(`${op} takes a string or { "equals-ignore-case": "…" }`, at);
    text = inner;
    ignoreCase = true;
  } else if (isString(arg)) {
    text = arg;
  } else {
    throw new PatternError(`${op} must be a string`, at);
  }
  const wanted = ignoreCase ? lower(text) : text;
  const value = (s: string) => (ignoreCase ? lower(s) : s);
  if (op === 'prefix') return { test: (leaf) => isString(leaf) && value(leaf).startsWith(wanted) };
  if (op === 'suffix') return { test: (leaf) => isString(leaf) && value(leaf).endsWith(wanted) };
  return { test: (leaf) => isString(leaf) && sameIgnoringCase(leaf, text) };
}

/**
 * A wildcard as a regular expression: `*` is any run of characters; `\*` is an
 * asterisk and `\\` a backslash; consecutive `*` and other escapes are invalid.
 */
function wildcardRegex(pattern: string, at: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\')
        throw new PatternError('a backslash in a wildcard may only escape * or \\', at);
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*')
        throw new PatternError('consecutive wildcard characters are not allowed', at);
      source += '[\\s\\S]*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'u');
}

/** A number as Event Ruler compares it: shifted positive and truncated to 6 decimal places. */
function comparable(value: number): number | undefined {
  if (!(value >= -NUMERIC_LIMIT && value <= NUMERIC_LIMIT)) return undefined;
  return Math.trunc(1e6 * (NUMERIC_LIMIT + value));
}

function numericBound(node: JsonNode | undefined, at: string): number {
  const bound = node instanceof JsonNumber ? comparable(node.value) : undefined;
  if (bound === undefined)
    throw new PatternError(
      `numeric values must be numbers between -${NUMERIC_LIMIT} and ${NUMERIC_LIMIT}`,
      at,
    );
  return bound;
}

/** `numeric`: `["=", n]`, `[">"|">=", n]`, `["<"|"<=", n]` or `[">"|">=", n, "<"|"<=", m]` with n < m. */
function numericRule(arg: JsonNode, at: string): Rule {
  if (!Array.isArray(arg)) throw new PatternError('numeric must be an array', at);
  const [op1, v1, op2, v2, ...rest] = arg;
  const bad = () =>
    new PatternError(
      'numeric must be ["=", n], [">"|">=", n], ["<"|"<=", n] or [">"|">=", n, "<"|"<=", m]',
      at,
    );
  if (!isString(op1) || rest.length > 0) throw bad();
  const a = numericBound(v1, at);
  let test: (n: number) => boolean;
  if (op1 === '=' || op1 === '<' || op1 === '<=') {
    if (arg.length !== 2) throw bad();
    test = op1 === '=' ? (n) => n === a : op1 === '<' ? (n) => n < a : (n) => n <= a;
  } else if (op1 === '>' || op1 === '>=') {
    const low = op1 === '>' ? (n: number) => n > a : (n: number) => n >= a;
    if (arg.length === 2) test = low;
    else {
      if (op2 !== '<' && op2 !== '<=') throw bad();
      const b = numericBound(v2, at);
      if (!(a < b)) throw new PatternError('the lower bound of a numeric range must be below the upper', at);
      test = op2 === '<' ? (n) => low(n) && n < b : (n) => low(n) && n <= b;
    }
  } else {
    throw bad();
  }
  return {
    test: (leaf) => {
      const n = leaf instanceof JsonNumber ? comparable(leaf.value) : undefined;
      return n !== undefined && test(n);
    },
  };
}

/**
 * `anything-but`: a string, a number, or a list of all strings or all numbers;
 * or `{ prefix | suffix | wildcard | equals-ignore-case: … }`. It matches any
 * present value but those: a number it names excludes numerically equal
 * numbers only, a string excludes that exact string only.
 */
function anythingButRule(arg: JsonNode, at: string): Rule {
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    const op = keys[0];
    const inner = op === undefined ? undefined : arg[op];
    if (keys.length !== 1) throw new PatternError('anything-but takes exactly one operator', at);
    if (op === 'prefix' || op === 'suffix') {
      if (!isString(inner) || inner === '')
        throw new PatternError(`anything-but ${op} must be a non-empty string`, at);
      const excluded = stringRule(op, inner, at);
      return { test: (leaf) => !excluded.test(leaf) };
    }
    if (op === 'equals-ignore-case' || op === 'wildcard') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0 || !list.every(isString))
        throw new PatternError(`anything-but ${op} must be a string or a list of strings`, at);
      const excluded = list.map((s) =>
        op === 'wildcard' ? compileOperator({ wildcard: s }, at) : stringRule(op, s, at),
      );
      return { test: (leaf) => !excluded.some((rule) => rule.test(leaf)) };
    }
    throw new PatternError(`unsupported anything-but operator "${String(op)}"`, at);
  }
  const list = Array.isArray(arg) ? arg : [arg];
  const allStrings = list.length > 0 && list.every(isString);
  const allNumbers = list.length > 0 && list.every((v) => v instanceof JsonNumber);
  if (!allStrings && !allNumbers)
    throw new PatternError(
      'anything-but must be a string, a number, or a list of all strings or all numbers',
      at,
    );
  if (allStrings) {
    const excluded = new Set(list as string[]);
    return { test: (leaf) => !(isString(leaf) && excluded.has(leaf)) };
  }
  const excluded = new Set(list.map((v) => numericBound(v, at)));
  return {
    test: (leaf) => {
      const n = leaf instanceof JsonNumber ? comparable(leaf.value) : undefined;
      return n === undefined || !excluded.has(n);
    },
  };
}

/** The leaf values at a field: itself, or the leaves of an array (nested arrays flattened). */
function leavesOf(node: JsonNode | undefined, out: Leaf[] = []): Leaf[] {
  if (node === undefined || isObject(node)) return out;
  if (Array.isArray(node)) for (const item of node) leavesOf(item, out);
  else out.push(node);
  return out;
}

/** The objects at a field: itself, or the objects of an array (nested arrays flattened). */
function objectsOf(node: JsonNode | undefined, out: JsonObject[] = []): JsonObject[] {
  if (isObject(node)) out.push(node);
  else if (Array.isArray(node)) for (const item of node) objectsOf(item, out);
  return out;
}

const EMPTY: JsonObject = {};

/** Whether `node` (an object of the data) matches `pattern`. */
export function matchPattern(pattern: CompiledPattern, node: JsonObject): boolean {
  for (const field of pattern.fields) {
    const value = Object.hasOwn(node, field.name) ? node[field.name] : undefined;
    if ('rules' in field) {
      const leaves = leavesOf(value);
      const ok = field.rules.some((rule) =>
        rule.exists === undefined
          ? leaves.some((leaf) => rule.test(leaf))
          : rule.exists === leaves.length > 0,
      );
      if (!ok) return false;
      continue;
    }
    const objects = objectsOf(value);
    // A nested pattern needs an object there. A string or number where it expects one fails
    // it (Lambda drops a record whose plain-string data meets a JSON pattern); nothing at all
    // leaves only `exists: false` rules to be met.
    if (objects.length === 0 && value !== undefined && !Array.isArray(value)) return false;
    const candidates = objects.length ? objects : [EMPTY];
    if (!candidates.some((object) => matchPattern(field.pattern, object))) return false;
  }
  return pattern.or.every((alternatives) => alternatives.some((alt) => matchPattern(alt, node)));
}

/** The field names of a pattern's top level, `$or` alternatives included. */
export function topLevelFields(pattern: CompiledPattern): string[] {
  return [...pattern.fields.map((f) => f.name), ...pattern.or.flat().flatMap(topLevelFields)];
}
