/**
 * The `produce` mode of {@link createPipeline}: OpenSky (or any snapshot
 * source) → {@link KafkaSink}, each snapshot with its own trace context.
 *
 * @module
 */
import { hasErrorCode } from '../errors.ts';
import { KafkaSink } from '../kafka/sink.ts';
import { loadTracing } from '../tracing/spans.ts';
import { countedSnapshots, openSource, type PipelineRun } from './run.ts';
import { SnapshotTraces } from './snapshot-traces.ts';
import type { ProducePipelineOptions } from './types.ts';

/** Write every snapshot of the source to the sink until the source ends or the pipeline stops. */
export async function runProduce(run: PipelineRun, options: ProducePipelineOptions): Promise<void> {
  const sink = new KafkaSink({ logger: run.logger, ...options.sink });
  run.stats.sink = sink.stats;
  run.parts.sink = sink;
  const traces = options.traceContext === false ? undefined : new SnapshotTraces(sink);
  try {
    const snapshots = countedSnapshots(run, openSource(run, options.source));
    run.emit('start', run.parts);
    if (traces) await loadTracing();
    if (options.ensureTopic !== false) await sink.ensureTopic(options.ensureTopic ?? {});
    // The sink buffers while the broker is out, so this loop (and the source's schedule)
    // keeps going through an outage; only a failure no retry fixes ends it.
    for await (const snapshot of snapshots) {
      const traceparent = traces?.start(snapshot);
      await sink.write(snapshot, { signal: run.signal, ...(traceparent ? { traceparent } : {}) });
    }
  } catch (error) {
    if (!(run.signal.aborted && hasErrorCode(error, 'OSS_ABORTED'))) throw error;
  } finally {
    // Bounded by the sink's closeTimeoutMs; what is still unsent is logged and in stats.sink.
    await sink.close().finally(() => traces?.abandon());
  }
}
