/**
 * Message attributes: which record fields become attributes, of which SNS
 * data type, and the rules SNS puts on names and values.
 *
 * @module
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';

/** SNS data types the publisher produces. `Number` enables numeric filter policies (e.g. altitude bands). */
export type SnsAttributeType = 'String' | 'Number' | 'String.Array';

/** The attribute data types, for validation. */
export const SNS_ATTRIBUTE_TYPES: readonly SnsAttributeType[] = ['String', 'Number', 'String.Array'];

/**
 * A value given directly as an attribute (static or per-publish attributes).
 * Its type follows from the value: `string` and `boolean` → String,
 * `number` → Number, array → String.Array. `null`, `undefined`, `''` and `[]`
 * are left out.
 */
export type AttributeInput = string | number | boolean | readonly (string | number | boolean | null)[];

/**
 * One message attribute taken from each record.
 *
 * @example
 * ```ts
 * // origin_country as a String, altitude as a Number for numeric filter policies
 * [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }]
 * // a computed attribute
 * [{ name: 'altitude_band', type: 'Number', value: (r) => Math.floor(r.altitude_feet / 10_000) }]
 * ```
 */
export interface AttributeMapping<T extends object = object> {
  /** The record field to read. Required unless `value` is given. */
  field?: string;
  /** The attribute name. @default the field name */
  name?: string;
  /** The SNS data type. @default 'String' */
  type?: SnsAttributeType;
  /** Compute the value instead of reading `field`. Returning `null`/`undefined` leaves the attribute out. */
  value?(record: T): unknown;
}

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const RESERVED_PREFIX = /^(aws|amazon)\./i;

/**
 * True when `name` is a valid SNS message attribute name: 1–256 characters of
 * `A-Z a-z 0-9 _ - .`, not starting or ending with a period, no `..`, and not
 * starting with the reserved `AWS.` or `Amazon.` (any case).
 */
export function isValidAttributeName(name: string): boolean {
  return (
    NAME.test(name) &&
    !name.startsWith('.') &&
    !name.endsWith('.') &&
    !name.includes('..') &&
    !RESERVED_PREFIX.test(name)
  );
}

// Characters SNS accepts in message bodies and String values (the XML 1.0 set).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const INVALID_CHARS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Remove characters SNS rejects in String values (control characters, lone surrogates, U+FFFE/U+FFFF). */
export function cleanStringValue(value: string): string {
  return value.replace(INVALID_CHARS, '');
}

// Made on first use: building it loads ICU's locale data (about 8 MiB resident) into every
// process that imports this module, and exponent values are rare.
let plainDecimal: Intl.NumberFormat | undefined;

function numberValue(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value);
  else return undefined;
  if (!Number.isFinite(n)) return undefined;
  const text = String(n);
  // SNS wants a plain decimal; avoid exponent notation such as 1e-7 or 1e+21.
  if (!text.includes('e')) return text;
  plainDecimal ??= new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  return plainDecimal.format(n);
}

function stringValue(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    text = String(value);
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? '' : value.toISOString();
  else if (typeof value === 'object' && value !== null) text = JSON.stringify(value) ?? '';
  else return undefined;
  const cleaned = cleanStringValue(text);
  return cleaned === '' ? undefined : cleaned;
}

function arrayValue(value: unknown): string | undefined {
  const items = (Array.isArray(value) ? value : [value]).flatMap(
    (item: unknown): (string | number | boolean | null)[] => {
      if (item === null || typeof item === 'boolean') return [item];
      if (typeof item === 'number') return Number.isFinite(item) ? [item] : [];
      if (typeof item === 'string') return [cleanStringValue(item)];
      return [];
    },
  );
  return items.length === 0 ? undefined : JSON.stringify(items);
}

/**
 * Convert a value to an SNS attribute of `type`, or `undefined` when it should
 * be left out: `null`, `undefined`, empty strings, empty arrays, and values
 * that cannot be of that type (e.g. `'abc'` as a Number). Leaving a bad value
 * out keeps the message; SNS would reject the whole message instead.
 */
export function toAttributeValue(value: unknown, type: SnsAttributeType): MessageAttributeValue | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const text =
    type === 'Number' ? numberValue(value) : type === 'String.Array' ? arrayValue(value) : stringValue(value);
  return text === undefined ? undefined : { DataType: type, StringValue: text };
}

/** The SNS type of a directly given {@link AttributeInput}. */
export function inferAttributeType(value: AttributeInput): SnsAttributeType {
  if (typeof value === 'number') return 'Number';
  if (Array.isArray(value)) return 'String.Array';
  return 'String';
}

/**
 * The message attributes of `record`: each mapping in order, then `extra`
 * (which wins on a name clash). Null and empty values are left out rather than
 * failing the message. Names are not checked here (see {@link isValidAttributeName}).
 *
 * @example
 * ```ts
 * recordAttributes(flight, [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
 *   { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
 * ```
 */
export function recordAttributes<T extends object>(
  record: T,
  mapping: readonly AttributeMapping<T>[],
  extra: Readonly<Record<string, AttributeInput | null | undefined>> = {},
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const item of mapping) {
    const name = item.name ?? item.field;
    if (name === undefined) continue;
    const raw = item.value ? item.value(record) : (record as Record<string, unknown>)[item.field ?? name];
    const value = toAttributeValue(raw, item.type ?? 'String');
    if (value) attributes[name] = value;
  }
  for (const [name, raw] of Object.entries(extra)) {
    if (raw === null || raw === undefined) continue;
    const value = toAttributeValue(raw, inferAttributeType(raw));
    if (value) attributes[name] = value;
    else delete attributes[name];
  }
  return attributes;
}
