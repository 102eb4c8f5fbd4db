/**
 * createPipeline: the primitives composed into the reference pipeline, one
 * module per mode.
 *
 * - `produce` (./produce.ts): OpenSky (or a recording) → KafkaSink
 * - `bridge` (./bridge.ts): Kafka consumer group → LambdaInvoker → your Lambda
 * - `in-process` (./in-process.ts): OpenSky → transformStateVector → SnsPublisher, for users without Lambda
 *
 * This file holds what every mode shares: the lifecycle (run once, stop
 * idempotently, stop on the caller's signal) and the check of the options.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { AbortError, ConfigError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { OpenSkySource } from '../opensky/source.ts';
import type { PipelineRun } from './run.ts';
import type { Pipeline, PipelineEvents, PipelineOptions, PipelineParts, PipelineStats } from './types.ts';

export type {
  BridgePipelineOptions,
  InProcessPipelineOptions,
  Pipeline,
  PipelineEvents,
  PipelineOptions,
  PipelineParts,
  PipelineStats,
  ProducePipelineOptions,
  SnapshotSource,
} from './types.ts';

class PipelineRunner extends EventEmitter<PipelineEvents> implements Pipeline {
  readonly stats: PipelineStats = {
    snapshots: 0,
    states: 0,
    published: 0,
    filtered: 0,
    malformed: 0,
    transformFailed: 0,
    publishFailed: 0,
    unconfirmed: 0,
  };
  readonly parts: PipelineParts = {};
  private readonly options: PipelineOptions;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;

  constructor(options: PipelineOptions) {
    super();
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  run(): Promise<void> {
    this.running ??= this.execute();
    return this.running;
  }

  private async execute(): Promise<void> {
    const run: PipelineRun = {
      stats: this.stats,
      parts: this.parts,
      logger: this.logger,
      signal: this.stopper.signal,
      emit: this.emit.bind(this),
    };
    const options = this.options;
    // Each mode loads its own parts when it runs: producing loads no AWS SDK client.
    if (options.mode === 'bridge') return (await import('./bridge.ts')).runBridge(run, options);
    if (options.mode === 'produce') return (await import('./produce.ts')).runProduce(run, options);
    return (await import('./in-process.ts')).runInProcess(run, options);
  }

  async stop(): Promise<void> {
    this.stopper.abort(new AbortError('pipeline stopped'));
    if (this.options.mode === 'produce' || this.options.mode === 'in-process') {
      const source = this.options.source;
      if (source instanceof OpenSkySource) source.stop();
    }
    await this.running?.catch((error: unknown) => {
      this.emit('failure', error as Error);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** The modes of {@link createPipeline}. */
const PIPELINE_MODES: readonly string[] = [
  'produce',
  'bridge',
  'in-process',
] satisfies PipelineOptions['mode'][];

/**
 * Compose the primitives into a pipeline.
 *
 * @example
 * ```ts
 * import { createPipeline } from 'opensky-stream';
 *
 * const pipeline = createPipeline({
 *   mode: 'produce',
 *   source: { intervalMs: 5000, bbox: { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 } },
 *   sink: { brokers: ['127.0.0.1:9092'], topic: 'aviation-data' },
 * });
 * process.once('SIGINT', () => pipeline.stop());
 * await pipeline.run();
 * ```
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  // Checked here, when the pipeline is made, not in run(): a typo must not wait for the first snapshot.
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  if (!PIPELINE_MODES.includes(options.mode))
    throw new ConfigError(
      '/options/mode',
      `must be one of ${PIPELINE_MODES.join(', ')}, got '${String(options.mode)}'`,
    );
  return new PipelineRunner(options);
}
