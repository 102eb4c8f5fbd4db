/**
 * The `in-process` mode of {@link createPipeline}: OpenSky →
 * {@link transformStateVector} → {@link SnsPublisher}, without Kafka or
 * Lambda; each record counted once by how it ended.
 *
 * @module
 */
import {
  processFlightBatch,
  RecordOutcomes,
  type RecordResult,
  TRANSFORM_ERROR,
} from '../batch/processor.ts';
import type { FlightRecord } from '../domain/types.ts';
import { AbortError, isOpenSkyStreamError } from '../errors.ts';
import { PublishFailureCodes } from '../sns/constants.ts';
import { SnsPublisher } from '../sns/publisher.ts';
import { countedSnapshots, openSource, type PipelineRun } from './run.ts';
import type { InProcessPipelineOptions } from './types.ts';

/** Transform and publish every snapshot of the source until it ends or the pipeline stops. */
export async function runInProcess(run: PipelineRun, options: InProcessPipelineOptions): Promise<void> {
  const publisher = new SnsPublisher<FlightRecord>({ logger: run.logger, ...options.publisher });
  run.stats.publisher = publisher.stats;
  run.parts.publisher = publisher;
  try {
    const snapshots = countedSnapshots(run, openSource(run, options.source));
    run.emit('start', run.parts);
    for await (const snapshot of snapshots) {
      const { results, publish } = await processFlightBatch(
        snapshot.states.map((value, id) => ({ id, value })),
        {
          publisher,
          signal: run.signal,
          ...(options.transform ? { transform: options.transform } : {}),
        },
      );
      countOutcomes(run, results);
      run.emit('published', publish);
    }
  } catch (error) {
    if (!(isOpenSkyStreamError(error) && error instanceof AbortError)) throw error;
  } finally {
    await publisher.close();
  }
}

/** Count each record of a batch by how it ended, and log what went wrong. */
function countOutcomes(run: PipelineRun, results: readonly RecordResult<number>[]): void {
  const failed = { transform: 0, publish: 0, unconfirmed: 0 };
  let firstCode: string | undefined;
  let firstTransformError: string | undefined;
  for (const result of results) {
    if (result.outcome !== RecordOutcomes.FAILED) {
      run.stats[result.outcome]++;
    } else if (result.reason === TRANSFORM_ERROR) {
      failed.transform++;
      firstTransformError ??= result.message;
    } else if (result.reason === PublishFailureCodes.ABORTED) {
      failed.unconfirmed++;
    } else {
      failed.publish++;
      firstCode ??= result.reason;
    }
  }
  run.stats.transformFailed += failed.transform;
  run.stats.publishFailed += failed.publish;
  run.stats.unconfirmed += failed.unconfirmed;
  if (failed.transform)
    run.logger.error('the transform threw', { count: failed.transform, first: firstTransformError });
  if (failed.publish)
    run.logger.error('records failed to publish', { count: failed.publish, first: firstCode });
  if (failed.unconfirmed)
    run.logger.warn('stopped before SNS confirmed some records; they may or may not have been delivered', {
      count: failed.unconfirmed,
    });
}
