/**
 * The trace context of each snapshot `produce` writes: a new W3C trace per
 * snapshot, or, with a registered OpenTelemetry tracer, a produce span that
 * continues the poll's span and ends when Kafka acknowledged the snapshot.
 *
 * @module
 */
import type { KafkaSink } from '../kafka/sink.ts';
import { type SpanHandle, startSpan } from '../tracing/spans.ts';
import { newTraceparent } from '../tracing/traceparent.ts';

/** Produce spans in flight, by the `traceparent` their snapshot's messages carry. */
export class SnapshotTraces {
  private readonly spans = new Map<string, SpanHandle>();
  private readonly sink: KafkaSink;

  /** End each snapshot's span as `sink` acknowledges or drops it. */
  constructor(sink: KafkaSink) {
    this.sink = sink;
    sink.on('delivered', ({ traceparent }) => this.end(traceparent));
    sink.on('dropped', ({ traceparent }) =>
      this.end(traceparent, 'dropped: the buffer was full during a broker outage'),
    );
  }

  /** The `traceparent` for a snapshot's messages, starting its produce span when a tracer is registered. */
  start(snapshot: { time: number; states: readonly unknown[]; traceparent?: string }): string {
    const topic = this.sink.topic;
    const span = startSpan(`send ${topic}`, {
      kind: 'producer',
      parents: [snapshot.traceparent],
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': snapshot.states.length,
        'opensky.time': snapshot.time,
      },
    });
    if (!span) return newTraceparent();
    this.spans.set(span.traceparent, span);
    return span.traceparent;
  }

  /** End the spans of snapshots never acknowledged (the sink closed first). */
  abandon(): void {
    for (const traceparent of [...this.spans.keys()])
      this.end(traceparent, 'not sent before the sink closed');
  }

  private end(traceparent: string | undefined, error?: string): void {
    const span = traceparent === undefined ? undefined : this.spans.get(traceparent);
    if (!span) return;
    this.spans.delete(traceparent!);
    span.end(error === undefined ? {} : { error });
  }
}
