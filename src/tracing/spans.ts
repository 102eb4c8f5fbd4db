/**
 * Spans through OpenTelemetry, when the application registered a tracer.
 *
 * `@opentelemetry/api` is an optional peer dependency: it is loaded once with
 * a dynamic import that tolerates its absence, and spans are started only
 * when a tracer provider has been registered with it (an SDK, a Lambda
 * layer). Otherwise {@link startSpan} returns `undefined` at once and
 * nothing else runs; the `traceparent` values the pipeline carries do not
 * depend on it.
 *
 * @module
 */
import type * as Otel from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent, type TraceContext } from './traceparent.ts';

type OtelApi = typeof Otel;

/** What a span is, in OpenTelemetry's terms. */
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** Options of {@link startSpan}. */
export interface StartSpanOptions {
  kind?: SpanKindName;
  /**
   * Trace contexts (`traceparent` values) of the work this span continues. One distinct
   * context becomes the span's parent; several become its links (a batch of records from
   * several traces), and the span starts a trace of its own. Invalid values are ignored.
   */
  parents?: Iterable<string | undefined>;
  attributes?: Record<string, string | number | boolean | undefined>;
  /** When the work started, ms since the epoch. @default now */
  startTime?: number;
}

/** A started span. */
export interface SpanHandle {
  /** The span's own context, as a `traceparent` value (to hand on to the next hop). */
  readonly traceparent: string;
  readonly traceId: string;
  setAttributes(attributes: Record<string, string | number | boolean | undefined>): void;
  /** End the span, with an error status when `error` is given. Idempotent. */
  end(options?: { error?: unknown; endTime?: number }): void;
}

/** Links on one span at most (a batch of 10,000 records could name thousands of traces). */
const MAX_LINKS = 128;
const MODULE = '@opentelemetry/api';

let api: OtelApi | undefined;
let loading: Promise<boolean> | undefined;
let noopProvider: unknown;

/**
 * Load `@opentelemetry/api` if it is installed (once; later calls share the
 * promise). Resolves to whether it could be loaded; {@link startSpan} works
 * only after this resolved.
 */
export function loadTracing(): Promise<boolean> {
  loading ??= (async () => {
    try {
      // A computed specifier, so bundlers (tsup, the Lambda's esbuild) leave it to run time.
      const loaded = (await import(/* @vite-ignore */ MODULE)) as OtelApi & { default?: OtelApi };
      api = loaded.trace ? loaded : loaded.default;
      noopProvider = api ? new api.ProxyTracerProvider().getDelegate() : undefined;
    } catch {
      api = undefined;
    }
    return api !== undefined;
  })();
  return loading;
}

/** True when `@opentelemetry/api` is loaded and a tracer provider has been registered with it. */
export function tracingActive(): boolean {
  if (!api) return false;
  const provider = api.trace.getTracerProvider() as Otel.TracerProvider & { getDelegate?: () => unknown };
  const delegate = provider.getDelegate ? provider.getDelegate() : provider;
  // Another copy of the API may have set the global proxy: its no-op provider is another object.
  return (
    delegate !== noopProvider && (delegate as object | undefined)?.constructor?.name !== 'NoopTracerProvider'
  );
}

const KINDS: Record<SpanKindName, keyof typeof Otel.SpanKind> = {
  internal: 'INTERNAL',
  server: 'SERVER',
  client: 'CLIENT',
  producer: 'PRODUCER',
  consumer: 'CONSUMER',
};

function spanContextOf(context: TraceContext): Otel.SpanContext {
  return { traceId: context.traceId, spanId: context.spanId, traceFlags: context.flags, isRemote: true };
}

function definedAttributes(
  attributes: Record<string, string | number | boolean | undefined> | undefined,
): Otel.Attributes {
  const out: Otel.Attributes = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * Start a span named `name` when a tracer is registered; otherwise `undefined`
 * (and nothing runs). See {@link StartSpanOptions.parents} for how the
 * records' trace contexts become its parent or links.
 */
export function startSpan(name: string, options: StartSpanOptions = {}): SpanHandle | undefined {
  if (!api || !tracingActive()) return undefined;
  const otel = api;
  const distinct = new Map<string, TraceContext>();
  for (const value of options.parents ?? []) {
    const context = parseTraceparent(value);
    if (context) distinct.set(`${context.traceId}-${context.spanId}`, context);
  }
  const contexts = [...distinct.values()];
  let parent = otel.ROOT_CONTEXT;
  let links: Otel.Link[] | undefined;
  if (contexts.length === 1) parent = otel.trace.setSpanContext(parent, spanContextOf(contexts[0]!));
  else if (contexts.length > 1)
    links = contexts.slice(0, MAX_LINKS).map((context) => ({ context: spanContextOf(context) }));
  const span = otel.trace.getTracer('opensky-stream').startSpan(
    name,
    {
      kind: otel.SpanKind[KINDS[options.kind ?? 'internal']],
      attributes: definedAttributes(options.attributes),
      ...(links ? { links } : {}),
      ...(options.startTime !== undefined ? { startTime: new Date(options.startTime) } : {}),
    },
    parent,
  );
  const own = span.spanContext();
  let ended = false;
  return {
    traceparent: formatTraceparent({ traceId: own.traceId, spanId: own.spanId, flags: own.traceFlags }),
    traceId: own.traceId,
    setAttributes: (attributes) => {
      span.setAttributes(definedAttributes(attributes));
    },
    end: ({ error, endTime } = {}) => {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof Error) span.recordException(error);
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message });
      }
      span.end(endTime === undefined ? undefined : new Date(endTime));
    },
  };
}
