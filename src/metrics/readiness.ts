/**
 * Readiness of a running pipeline, for `/readyz`: its primitives connected
 * and doing their work.
 *
 * @module
 */
import type { Pipeline } from '../pipeline/create-pipeline.ts';

/** One check of a {@link ReadinessReport}. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Whether the pipeline is ready, and why (not). */
export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessCheck[];
}

/** Options of {@link pipelineReadiness}. */
export interface ReadinessOptions {
  /**
   * A producing pipeline is ready while its last valid OpenSky answer (a new or an unchanged
   * snapshot; any snapshot, for a recording) is at most this old, ms. @default 60000
   */
  staleAfterMs?: number;
}

/**
 * A readiness check of `pipeline` (create it before `run()`):
 * - producing (`produce`, in-process): a snapshot arrived within `staleAfterMs`, and the
 *   Kafka broker takes sends (`produce`);
 * - `bridge`: the consumer is a running member of its group.
 * Not ready before the pipeline started.
 */
export function pipelineReadiness(
  pipeline: Pick<Pipeline, 'on' | 'parts'>,
  options: ReadinessOptions = {},
): () => ReadinessReport {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  let lastSnapshotAt: number | undefined;
  pipeline.on('snapshot', () => {
    lastSnapshotAt = Date.now();
  });
  return () => {
    const { source, sink, invoker, publisher } = pipeline.parts;
    const checks: ReadinessCheck[] = [];
    if (!source && !sink && !invoker && !publisher)
      checks.push({ name: 'started', ok: false, detail: 'the pipeline has not started' });
    if (sink || publisher) {
      const last = Math.max(source?.stats.lastSuccessAt ?? 0, lastSnapshotAt ?? 0);
      const age = Date.now() - last;
      checks.push(
        last === 0
          ? { name: 'snapshots', ok: false, detail: 'no snapshot fetched yet' }
          : {
              name: 'snapshots',
              ok: age <= staleAfterMs,
              detail: `last snapshot ${Math.round(age / 1000)} s ago (stale after ${Math.round(staleAfterMs / 1000)} s)`,
            },
      );
    }
    if (sink)
      checks.push({
        name: 'kafka',
        ok: sink.healthy,
        detail: sink.healthy ? 'the broker takes sends' : 'sends are failing; snapshots are buffered',
      });
    if (invoker)
      checks.push({
        name: 'consumer',
        ok: invoker.consuming,
        detail: invoker.consuming
          ? 'consuming in its group'
          : 'the consumer is not running (starting or restarting)',
      });
    return { ready: checks.every((check) => check.ok), checks };
  };
}
