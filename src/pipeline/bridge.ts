/**
 * The `bridge` mode of {@link createPipeline}: a Kafka consumer group →
 * {@link LambdaInvoker} → your Lambda, until stopped.
 *
 * @module
 */
import { LambdaInvoker } from '../bridge/invoker.ts';
import type { PipelineRun } from './run.ts';
import type { BridgePipelineOptions } from './types.ts';

/** Run the invoker until the pipeline stops; rejects when consuming failed for good. */
export async function runBridge(run: PipelineRun, options: BridgePipelineOptions): Promise<void> {
  const invoker = new LambdaInvoker({ logger: run.logger, ...options.invoker });
  run.stats.invoker = invoker.stats;
  run.parts.invoker = invoker;
  run.emit('start', run.parts);
  try {
    await invoker.start();
    const stopped = new Promise<void>((resolve) => {
      if (run.signal.aborted) resolve();
      else run.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // Broker outages are ridden out inside the invoker (its consumer restarts); done()
    // settles early only when consuming failed for good, and then run() rejects.
    await Promise.race([stopped, invoker.done()]);
  } finally {
    await invoker.stop();
  }
}
