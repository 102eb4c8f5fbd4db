export {
  loadTracing,
  type SpanHandle,
  type SpanKindName,
  type StartSpanOptions,
  startSpan,
  tracingActive,
} from './spans.ts';
export {
  childTraceparent,
  formatTraceparent,
  isSampled,
  newSpanId,
  newTraceparent,
  parseTraceparent,
  TRACEPARENT,
  type TraceContext,
} from './traceparent.ts';
