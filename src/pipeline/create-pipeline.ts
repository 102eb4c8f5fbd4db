/**
 * createPipeline: the primitives composed into the reference pipeline.
 *
 * - `produce`: OpenSky (or a recording) → KafkaSink
 * - `bridge`: Kafka consumer group → LambdaInvoker → your Lambda
 * - `in-process`: OpenSky → transformStateVector → SnsPublisher, for users without Lambda
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import {
  processFlightBatch,
  RecordOutcomes,
  type RecordResult,
  TRANSFORM_ERROR,
} from '../batch/processor.ts';
import { LambdaInvoker, type LambdaInvokerOptions, type LambdaInvokerStats } from '../bridge/invoker.ts';
import type { FlightRecord, StatesResponse, StateVector } from '../domain/types.ts';
import { AbortError, ConfigError, hasErrorCode, isOpenSkyStreamError } from '../errors.ts';
import { KafkaSink, type KafkaSinkOptions, type KafkaSinkStats } from '../kafka/sink.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { OpenSkySource, type OpenSkySourceOptions, type OpenSkySourceStats } from '../opensky/source.ts';
import { PublishFailureCodes } from '../sns/constants.ts';
import {
  type PublishResult,
  SnsPublisher,
  type SnsPublisherOptions,
  type SnsPublisherStats,
} from '../sns/publisher.ts';
import { loadTracing } from '../tracing/spans.ts';
import { SnapshotTraces } from './snapshot-traces.ts';

/**
 * Anything that yields snapshots: an {@link OpenSkySource}, a recording, generated traffic.
 * A snapshot's `traceparent` (the poll's span, from OpenSkySource with a registered tracer)
 * becomes the parent of its produce span.
 */
export type SnapshotSource = AsyncIterable<
  Pick<StatesResponse, 'time' | 'states'> & { traceparent?: string }
>;

/** OpenSky → Kafka. */
export interface ProducePipelineOptions {
  mode: 'produce';
  /** Options for a new {@link OpenSkySource}, or any snapshot source. */
  source: OpenSkySourceOptions | SnapshotSource;
  sink: KafkaSinkOptions;
  /** Create the topic when missing. `false` to skip. @default { partitions: 3, replicationFactor: 1 } */
  ensureTopic?: { partitions?: number; replicationFactor?: number } | false;
  /**
   * Start a W3C trace per snapshot: its `traceparent` (random trace and span ids, sampled)
   * goes into every message's headers, and the Lambda carries it into the SNS attributes.
   * With a registered OpenTelemetry tracer it is the context of the snapshot's produce span.
   * @default true
   */
  traceContext?: boolean;
}

/** Kafka → Lambda. */
export interface BridgePipelineOptions {
  mode: 'bridge';
  invoker: LambdaInvokerOptions;
}

/** OpenSky → transform → SNS, without Kafka or Lambda. */
export interface InProcessPipelineOptions {
  mode: 'in-process';
  source: OpenSkySourceOptions | SnapshotSource;
  publisher: SnsPublisherOptions;
  /** Replace or extend the processing (a throw fails that record only); defaults to {@link transformStateVector}'s rules. */
  transform?: (sv: StateVector) => FlightRecord | null;
}

/** Options of {@link createPipeline}. */
export type PipelineOptions = (ProducePipelineOptions | BridgePipelineOptions | InProcessPipelineOptions) & {
  logger?: Logger;
  signal?: AbortSignal;
};

/** Counters of a running pipeline, by stage. */
export interface PipelineStats {
  snapshots: number;
  states: number;
  /**
   * In-process mode: each record is counted once, as published, filtered (not in the air),
   * malformed, transformFailed (a custom transform threw), publishFailed, or unconfirmed.
   */
  published: number;
  filtered: number;
  malformed: number;
  transformFailed: number;
  publishFailed: number;
  /**
   * In-process mode: records in hand when `stop()` came that SNS had not confirmed (sent or
   * not, they may or may not have been delivered). Counted apart from `publishFailed`.
   */
  unconfirmed: number;
  source?: OpenSkySourceStats;
  sink?: KafkaSinkStats;
  invoker?: LambdaInvokerStats;
  publisher?: SnsPublisherStats;
}

/** The primitives a running pipeline is made of, as it creates them (for metrics and health checks). */
export interface PipelineParts {
  source?: OpenSkySource;
  sink?: KafkaSink;
  invoker?: LambdaInvoker;
  publisher?: SnsPublisher<FlightRecord>;
}

/** Typed events of a {@link Pipeline}. */
export interface PipelineEvents {
  /** The primitives were created and are about to start: subscribe to their events here. */
  start: [PipelineParts];
  snapshot: [{ time: number; states: number }];
  published: [PublishResult<FlightRecord>];
  failure: [Error];
}

/** A running (or runnable) pipeline. */
export interface Pipeline extends EventEmitter<PipelineEvents> {
  readonly stats: PipelineStats;
  /** The primitives, once `run()` has created them (see the `start` event). */
  readonly parts: PipelineParts;
  /** Run until the source ends or {@link Pipeline.stop} is called; rejects on a fatal error. */
  run(): Promise<void>;
  /** Stop gracefully: flush, commit, disconnect. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const isSource = (value: OpenSkySourceOptions | SnapshotSource): value is SnapshotSource =>
  typeof (value as SnapshotSource)[Symbol.asyncIterator] === 'function';

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
  private invoker: LambdaInvoker | undefined;

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

  private source(options: OpenSkySourceOptions | SnapshotSource): SnapshotSource {
    const source = isSource(options)
      ? options
      : new OpenSkySource({ logger: this.logger, ...options, signal: this.stopper.signal });
    if (source instanceof OpenSkySource) {
      this.stats.source = source.stats;
      this.parts.source = source;
    }
    return source;
  }

  private async *snapshots(source: SnapshotSource) {
    for await (const snapshot of source) {
      if (this.stopper.signal.aborted) return;
      this.stats.snapshots++;
      this.stats.states += snapshot.states.length;
      this.emit('snapshot', { time: snapshot.time, states: snapshot.states.length });
      yield snapshot;
    }
  }

  private async execute(): Promise<void> {
    const options = this.options;
    if (options.mode === 'bridge') {
      const invoker = new LambdaInvoker({ logger: this.logger, ...options.invoker });
      this.invoker = invoker;
      this.stats.invoker = invoker.stats;
      this.parts.invoker = invoker;
      this.emit('start', this.parts);
      try {
        await invoker.start();
        const stopped = new Promise<void>((resolve) => {
          if (this.stopper.signal.aborted) resolve();
          else this.stopper.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        // Broker outages are ridden out inside the invoker (its consumer restarts); done()
        // settles early only when consuming failed for good, and then run() rejects.
        await Promise.race([stopped, invoker.done()]);
      } finally {
        await invoker.stop();
      }
      return;
    }
    if (options.mode === 'produce') return this.produce(options);
    const publisher = new SnsPublisher<FlightRecord>({ logger: this.logger, ...options.publisher });
    this.stats.publisher = publisher.stats;
    this.parts.publisher = publisher;
    try {
      const snapshots = this.snapshots(this.source(options.source));
      this.emit('start', this.parts);
      for await (const snapshot of snapshots) {
        const { results, publish } = await processFlightBatch(
          snapshot.states.map((value, id) => ({ id, value })),
          {
            publisher,
            signal: this.stopper.signal,
            ...(options.transform ? { transform: options.transform } : {}),
          },
        );
        this.count(results);
        this.emit('published', publish);
      }
    } catch (error) {
      if (!(isOpenSkyStreamError(error) && error instanceof AbortError)) throw error;
    } finally {
      await publisher.close();
    }
  }

  private async produce(options: ProducePipelineOptions): Promise<void> {
    const sink = new KafkaSink({ logger: this.logger, ...options.sink });
    this.stats.sink = sink.stats;
    this.parts.sink = sink;
    const traces = options.traceContext === false ? undefined : new SnapshotTraces(sink);
    try {
      const snapshots = this.snapshots(this.source(options.source));
      this.emit('start', this.parts);
      if (traces) await loadTracing();
      if (options.ensureTopic !== false) await sink.ensureTopic(options.ensureTopic ?? {});
      // The sink buffers while the broker is out, so this loop (and the source's schedule)
      // keeps going through an outage; only a failure no retry fixes ends it.
      for await (const snapshot of snapshots) {
        const traceparent = traces?.start(snapshot);
        await sink.write(snapshot, { signal: this.stopper.signal, ...(traceparent ? { traceparent } : {}) });
      }
    } catch (error) {
      if (!(this.stopper.signal.aborted && hasErrorCode(error, 'OSS_ABORTED'))) throw error;
    } finally {
      // Bounded by the sink's closeTimeoutMs; what is still unsent is logged and in stats.sink.
      await sink.close().finally(() => traces?.abandon());
    }
  }

  /** Count each record of an in-process batch by how it ended, and log what went wrong. */
  private count(results: readonly RecordResult<number>[]): void {
    const failed = { transform: 0, publish: 0, unconfirmed: 0 };
    let firstCode: string | undefined;
    let firstTransformError: string | undefined;
    for (const result of results) {
      if (result.outcome !== RecordOutcomes.FAILED) {
        this.stats[result.outcome]++;
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
    this.stats.transformFailed += failed.transform;
    this.stats.publishFailed += failed.publish;
    this.stats.unconfirmed += failed.unconfirmed;
    if (failed.transform)
      this.logger.error('the transform threw', { count: failed.transform, first: firstTransformError });
    if (failed.publish)
      this.logger.error('records failed to publish', { count: failed.publish, first: firstCode });
    if (failed.unconfirmed)
      this.logger.warn('stopped before SNS confirmed some records; they may or may not have been delivered', {
        count: failed.unconfirmed,
      });
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
