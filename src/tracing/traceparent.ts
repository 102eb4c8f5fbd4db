/**
 * W3C Trace Context `traceparent` values: parsing, formatting, and new ones.
 * The pipeline starts one per snapshot in `produce` and carries it from the
 * Kafka headers through the Lambda into the SNS message attributes.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** The header (Kafka) and message attribute (SNS) that carries the trace context. */
export const TRACEPARENT = 'traceparent';

/** The fields of a `traceparent` value. */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** 16 lower-case hex digits, not all zero: the span the next one is a child of. */
  spanId: string;
  /** Trace flags; bit 0 is `sampled`. */
  flags: number;
}

const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * Parse a `traceparent` value as the W3C spec says: lower-case hex only,
 * version `ff` invalid, version `00` exactly 55 characters, a later version
 * read by its first four fields; all-zero trace or span ids are invalid.
 * Never throws: `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 }
 * ```
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT_FORMAT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** A `traceparent` value (version `00`) from its fields. */
export function formatTraceparent(context: TraceContext): string {
  const flags = (context.flags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** True when the context's `sampled` flag is set. */
export const isSampled = (context: TraceContext): boolean => (context.flags & 1) === 1;

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (hex !== zero) return hex;
  }
}

/** A new span id: 16 random hex digits, never all zero. */
export const newSpanId = (): string => randomHex(8, ZERO_SPAN_ID);

/**
 * A new trace: a random trace id and span id, sampled unless told otherwise.
 *
 * @example
 * ```ts
 * newTraceparent(); // '00-<32 random hex>-<16 random hex>-01'
 * ```
 */
export function newTraceparent(options: { sampled?: boolean } = {}): string {
  return formatTraceparent({
    traceId: randomHex(16, ZERO_TRACE_ID),
    spanId: newSpanId(),
    flags: options.sampled === false ? 0 : 1,
  });
}

/** The same trace and flags with a new span id: a child of `parent`. `undefined` for an invalid parent. */
export function childTraceparent(parent: string | TraceContext): string | undefined {
  const context = typeof parent === 'string' ? parseTraceparent(parent) : parent;
  return context ? formatTraceparent({ ...context, spanId: newSpanId() }) : undefined;
}
