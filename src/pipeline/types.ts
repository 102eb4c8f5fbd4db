/**
 * The shapes of {@link createPipeline}: its options by mode, the running
 * pipeline, its counters, parts and events.
 *
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { LambdaInvoker, LambdaInvokerOptions, LambdaInvokerStats } from '../bridge/invoker.ts';
import type { FlightRecord, StatesResponse, StateVector } from '../domain/types.ts';
import type { KafkaSink, KafkaSinkOptions, KafkaSinkStats } from '../kafka/sink.ts';
import type { Logger } from '../logger.ts';
import type { OpenSkySource, OpenSkySourceOptions, OpenSkySourceStats } from '../opensky/source.ts';
import type {
  PublishResult,
  SnsPublisher,
  SnsPublisherOptions,
  SnsPublisherStats,
} from '../sns/publisher.ts';

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
