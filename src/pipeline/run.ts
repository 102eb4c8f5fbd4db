/**
 * What every mode of a pipeline shares while it runs: the counters, the parts
 * it created, the logger, the stop signal and the events; and the source,
 * opened from options or taken as given, with each snapshot counted.
 *
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../logger.ts';
import { OpenSkySource, type OpenSkySourceOptions } from '../opensky/source.ts';
import type { PipelineEvents, PipelineParts, PipelineStats, SnapshotSource } from './types.ts';

/** A pipeline's run as its mode sees it. */
export interface PipelineRun {
  readonly stats: PipelineStats;
  readonly parts: PipelineParts;
  readonly logger: Logger;
  /** Aborted by `stop()`. */
  readonly signal: AbortSignal;
  readonly emit: EventEmitter<PipelineEvents>['emit'];
}

const isSource = (value: OpenSkySourceOptions | SnapshotSource): value is SnapshotSource =>
  typeof (value as SnapshotSource)[Symbol.asyncIterator] === 'function';

/** The snapshot source of a mode: a new {@link OpenSkySource} from options (stopped with the run), or the one given. */
export function openSource(run: PipelineRun, options: OpenSkySourceOptions | SnapshotSource): SnapshotSource {
  const source = isSource(options)
    ? options
    : new OpenSkySource({ logger: run.logger, ...options, signal: run.signal });
  if (source instanceof OpenSkySource) {
    run.stats.source = source.stats;
    run.parts.source = source;
  }
  return source;
}

/** The source's snapshots, counted and announced, until the run is stopped. */
export async function* countedSnapshots(run: PipelineRun, source: SnapshotSource) {
  for await (const snapshot of source) {
    if (run.signal.aborted) return;
    run.stats.snapshots++;
    run.stats.states += snapshot.states.length;
    run.emit('snapshot', { time: snapshot.time, states: snapshot.states.length });
    yield snapshot;
  }
}
