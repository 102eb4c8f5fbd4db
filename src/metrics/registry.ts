/**
 * PipelineMetrics: the pipeline's counters as Prometheus metrics, all named
 * `opensky_stream_*`. Counters and gauges are read from the primitives'
 * `stats` at scrape time; latencies and batch sizes are observed from their
 * events. A group of metrics appears once a primitive of its kind is observed,
 * so `produce` shows the source and sink metrics and `bridge` the invoker's.
 *
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LambdaInvoker, LambdaInvokerEvents, LambdaInvokerStats } from '../bridge/invoker.ts';
import type { KafkaSink, KafkaSinkEvents, KafkaSinkStats } from '../kafka/sink.ts';
import type { OpenSkySource, OpenSkySourceStats } from '../opensky/source.ts';
import type { Pipeline } from '../pipeline/create-pipeline.ts';
import type { SnsPublisherStats } from '../sns/types.ts';

/** The prefix of every metric. */
export const PROMETHEUS_METRIC_PREFIX = 'opensky_stream_';

/** Options of {@link PipelineMetrics}. */
export interface PipelineMetricsOptions {
  /** The registry to register the metrics with. @default a new one */
  registry?: Registry;
  /** Also Node's process metrics (CPU, memory, event loop lag, GC) as `opensky_stream_process_*` etc. @default true */
  processMetrics?: boolean;
  /** How long one consumer-lag reading (a broker round trip) is reused, ms. @default 5000 */
  lagCacheMs?: number;
  /** How long a consumer-lag reading may take before the last one is shown again, ms. @default 3000 */
  lagTimeoutMs?: number;
}

type Labels = Record<string, string>;
/** The values of a metric: one number, or one per label set. */
type Reading = number | Array<[Labels, number]>;

/** A source's parts the metrics read. */
export type ObservedSource = Pick<OpenSkySource, 'stats' | 'tier'>;
/** What the metrics read of a {@link KafkaSink}. */
export interface ObservedSink {
  readonly stats: KafkaSinkStats;
  on(event: 'sent', listener: (sent: KafkaSinkEvents['sent'][0]) => void): unknown;
}
/** What the metrics read of a {@link LambdaInvoker}. */
export interface ObservedInvoker {
  readonly stats: LambdaInvokerStats;
  readonly topic: string;
  readonly consuming: boolean;
  lag(): Promise<Record<number, number>>;
  on(event: 'invoke', listener: (invoke: LambdaInvokerEvents['invoke'][0]) => void): unknown;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const RECORDS_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

const sum = <S>(items: readonly S[], read: (item: S) => number): number =>
  items.reduce((total, item) => total + read(item), 0);

/**
 * The pipeline's Prometheus metrics.
 *
 * @example
 * ```ts
 * const metrics = new PipelineMetrics();
 * metrics.observePipeline(pipeline); // before pipeline.run()
 * const text = await metrics.registry.metrics();
 * ```
 */
export class PipelineMetrics {
  readonly registry: Registry;
  private readonly sources: ObservedSource[] = [];
  private readonly sinks: ObservedSink[] = [];
  private readonly invokers: ObservedInvoker[] = [];
  private readonly publishers: Array<{ stats: SnsPublisherStats }> = [];
  /** Pipelines whose snapshots are counted from the pipeline (a recording or generated traffic, no OpenSkySource). */
  private readonly snapshotCounters: Array<() => number> = [];
  private readonly lagCacheMs: number;
  private readonly lagTimeoutMs: number;
  private readonly lagReadings = new Map<ObservedInvoker, { at: number; lag: Record<number, number> }>();
  private readonly lagPending = new Map<ObservedInvoker, Promise<Record<number, number> | undefined>>();
  private sendSeconds: Histogram | undefined;
  private invokeSeconds: Histogram | undefined;
  private batchRecords: Histogram | undefined;

  constructor(options: PipelineMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.lagCacheMs = options.lagCacheMs ?? 5000;
    this.lagTimeoutMs = options.lagTimeoutMs ?? 3000;
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: PROMETHEUS_METRIC_PREFIX });
  }

  /**
   * Observe a pipeline's primitives as `run()` creates them. Call it before `run()`.
   * Snapshots from a recording or generated traffic are counted from the pipeline.
   */
  observePipeline(pipeline: Pick<Pipeline, 'on' | 'stats'>): this {
    pipeline.on('start', (parts) => {
      if (parts.source) this.observeSource(parts.source);
      else if (parts.sink || parts.publisher) this.observeSnapshots(() => pipeline.stats.snapshots);
      if (parts.sink) this.observeSink(parts.sink);
      if (parts.invoker) this.observeInvoker(parts.invoker);
      if (parts.publisher) this.observePublisher(parts.publisher);
    });
    return this;
  }

  /** OpenSky polling: snapshots fetched, unchanged and failed, credits, 429s. */
  observeSource(source: ObservedSource): this {
    if (this.sources.push(source) > 1) return this;
    const stats = (read: (s: OpenSkySourceStats) => number) => () => sum(this.sources, (s) => read(s.stats));
    this.snapshotsFetched(stats((s) => s.snapshots));
    this.counter(
      'snapshots_unchanged_total',
      'OpenSky answers that repeated the previous snapshot (same time), not produced again.',
      stats((s) => s.unchanged),
    );
    this.counter(
      'snapshots_failed_total',
      'Polls that yielded no snapshot, by reason: retries_exhausted (server errors, timeouts, network errors after all retries), rate_limited (HTTP 429), malformed (not JSON or not the states schema).',
      () => [
        [{ reason: 'retries_exhausted' }, sum(this.sources, (s) => s.stats.failures)],
        [{ reason: 'rate_limited' }, sum(this.sources, (s) => s.stats.rateLimited)],
        [{ reason: 'malformed' }, sum(this.sources, (s) => s.stats.malformed)],
      ],
      ['reason'],
    );
    this.counter(
      'opensky_requests_total',
      'HTTP requests to OpenSky /states/all, retries included.',
      stats((s) => s.requests),
    );
    this.counter(
      'opensky_retries_total',
      'OpenSky requests retried after a server error, timeout or network error.',
      stats((s) => s.retries),
    );
    this.counter(
      'opensky_rate_limited_total',
      'OpenSky answers with HTTP 429 (rate limited); the source waits as told.',
      stats((s) => s.rateLimited),
    );
    this.counter(
      'opensky_skipped_rows_total',
      'Malformed state-vector rows left out of snapshots.',
      stats((s) => s.skippedRows),
    );
    this.counter(
      'opensky_credits_used_total',
      'OpenSky API credits this process spent (by its own count).',
      stats((s) => s.creditsUsed),
    );
    this.gauge(
      'opensky_credits_remaining',
      'OpenSky API credits left in the current period, from the last X-Rate-Limit-Remaining header; absent until the API sent one.',
      () =>
        this.sources.flatMap(
          (s): Array<[Labels, number]> =>
            s.stats.creditsRemaining === undefined ? [] : [[{ tier: s.tier }, s.stats.creditsRemaining]],
        ),
      ['tier'],
    );
    this.gauge('opensky_request_duration_seconds', 'Latency of the last OpenSky request, seconds.', () =>
      Math.max(0, ...this.sources.map((s) => s.stats.lastLatencyMs / 1000)),
    );
    return this;
  }

  /** Count snapshots from a function (a pipeline fed by a recording or generated traffic). */
  observeSnapshots(read: () => number): this {
    if (this.snapshotCounters.push(read) === 1 && this.sources.length === 0)
      this.snapshotsFetched(() => sum(this.snapshotCounters, (count) => count()));
    return this;
  }

  /** Kafka producing: records and bytes, send latency, errors and retries, the outage buffer. */
  observeSink(sink: ObservedSink): this {
    const first = this.sinks.push(sink) === 1;
    if (first) {
      const stats = (read: (s: KafkaSinkStats) => number) => () => sum(this.sinks, (s) => read(s.stats));
      this.counter(
        'records_produced_total',
        'Records (one per aircraft) the Kafka broker acknowledged.',
        stats((s) => s.messages),
      );
      this.counter(
        'produced_bytes_total',
        'Uncompressed key and value bytes of the acknowledged records.',
        stats((s) => s.bytes),
      );
      this.counter(
        'kafka_sends_total',
        'Batched sends the Kafka broker acknowledged.',
        stats((s) => s.batches),
      );
      this.counter(
        'kafka_send_errors_total',
        'Kafka sends that failed (each attempt).',
        stats((s) => s.errors),
      );
      this.counter(
        'kafka_send_retries_total',
        'Kafka sends retried after a transient error.',
        stats((s) => s.sendRetries),
      );
      this.gauge(
        'buffered_snapshots',
        'Snapshots accepted and not yet acknowledged by Kafka (grows during a broker outage).',
        stats((s) => s.bufferedSnapshots),
      );
      this.gauge(
        'buffered_bytes',
        'Bytes of the snapshots not yet acknowledged by Kafka.',
        stats((s) => s.bufferedBytes),
      );
      this.counter(
        'dropped_snapshots_total',
        'Snapshots dropped, oldest first, because the buffer was full during a broker outage.',
        stats((s) => s.droppedSnapshots),
      );
      this.counter(
        'dropped_records_total',
        'Records of the dropped snapshots.',
        stats((s) => s.droppedMessages),
      );
      this.sendSeconds = this.histogram(
        'kafka_send_duration_seconds',
        'Latency of acknowledged Kafka sends (acks=all), seconds.',
        SECONDS_BUCKETS,
      );
    }
    const histogram = this.sendSeconds!;
    sink.on('sent', ({ ms }) => histogram.observe(ms / 1000));
    return this;
  }

  /** The bridge: records consumed, invocations and their latency, batch sizes, errors, retries, dead letters, lag. */
  observeInvoker(invoker: ObservedInvoker): this {
    const first = this.invokers.push(invoker) === 1;
    if (first) {
      const stats = (read: (s: LambdaInvokerStats) => number) => () =>
        sum(this.invokers, (s) => read(s.stats));
      this.counter(
        'records_consumed_total',
        'Records the bridge consumed from Kafka.',
        stats((s) => s.recordsIn),
      );
      this.counter(
        'lambda_invocations_total',
        'Lambda Invoke calls, retries included.',
        stats((s) => s.invocations),
      );
      this.counter(
        'lambda_errors_total',
        'Invocations that failed (function error, invalid answer, Invoke error).',
        stats((s) => s.errors),
      );
      this.counter(
        'lambda_retries_total',
        'Batches invoked again after a failure or a partial-batch response.',
        stats((s) => s.retries),
      );
      this.counter(
        'lambda_partial_failures_total',
        'Invocations whose answer listed failed records (partial-batch response).',
        stats((s) => s.partialFailures),
      );
      this.counter(
        'dead_lettered_records_total',
        'Records sent to the dead-letter topic (retries exhausted or too old).',
        stats((s) => s.deadLettered),
      );
      this.counter(
        'offset_commits_total',
        'Offset commits after successful batches.',
        stats((s) => s.committed),
      );
      this.counter(
        'consumer_crashes_total',
        'Times the Kafka consumer crashed.',
        stats((s) => s.crashes),
      );
      this.counter(
        'consumer_restarts_total',
        'Times a crashed consumer was replaced by a new one.',
        stats((s) => s.restarts),
      );
      this.gauge(
        'consumer_running',
        '1 while the bridge consumer is a running member of its group, else 0.',
        () => (this.invokers.every((i) => i.consuming) ? 1 : 0),
      );
      const lag: Gauge<'topic' | 'partition'> = new Gauge({
        name: `${PROMETHEUS_METRIC_PREFIX}consumer_lag`,
        help: "Records in each partition after the group's committed offset (read from the broker at scrape time).",
        labelNames: ['topic', 'partition'],
        registers: [this.registry],
        collect: async () => {
          const readings = await Promise.all(this.invokers.map((i) => this.readLag(i)));
          lag.reset();
          this.invokers.forEach((i, n) => {
            for (const [partition, records] of Object.entries(readings[n] ?? {}))
              lag.set({ topic: i.topic, partition }, records);
          });
        },
      });
      this.invokeSeconds = this.histogram(
        'lambda_invoke_duration_seconds',
        'Latency of Lambda Invoke calls, seconds.',
        SECONDS_BUCKETS,
      );
      this.batchRecords = this.histogram(
        'lambda_batch_records',
        'Records per Lambda invocation.',
        RECORDS_BUCKETS,
      );
    }
    const seconds = this.invokeSeconds!;
    const records = this.batchRecords!;
    invoker.on('invoke', (event) => {
      seconds.observe(event.ms / 1000);
      records.observe(event.records);
    });
    return this;
  }

  /** SNS publishing (in-process mode): published, failed, requests, retries, throttling. */
  observePublisher(publisher: { stats: SnsPublisherStats }): this {
    if (this.publishers.push(publisher) > 1) return this;
    const stats = (read: (s: SnsPublisherStats) => number) => () =>
      sum(this.publishers, (p) => read(p.stats));
    this.counter(
      'sns_published_total',
      'Notifications SNS accepted.',
      stats((s) => s.published),
    );
    this.counter(
      'sns_failed_total',
      'Notifications that could not be published after all retries.',
      stats((s) => s.failed),
    );
    this.counter(
      'sns_requests_total',
      'PublishBatch requests, retries included.',
      stats((s) => s.requests),
    );
    this.counter(
      'sns_retries_total',
      'PublishBatch requests that were retries.',
      stats((s) => s.retries),
    );
    this.counter(
      'sns_throttled_total',
      'Requests or entries SNS throttled.',
      stats((s) => s.throttled),
    );
    this.counter(
      'sns_published_bytes_total',
      'Bytes (message plus attributes) of the published notifications.',
      stats((s) => s.bytes),
    );
    return this;
  }

  /** The text a Prometheus scrape gets. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private snapshotsFetched(read: () => number): void {
    if (this.registry.getSingleMetric(`${PROMETHEUS_METRIC_PREFIX}snapshots_fetched_total`)) return;
    this.counter('snapshots_fetched_total', 'New snapshots fetched (or replayed) and handed on.', read);
  }

  /** The invoker's lag, reused for `lagCacheMs`; while a reading is slow or after it failed, the last one. */
  private async readLag(invoker: ObservedInvoker): Promise<Record<number, number> | undefined> {
    const last = this.lagReadings.get(invoker);
    if (last && Date.now() - last.at < this.lagCacheMs) return last.lag;
    let reading = this.lagPending.get(invoker);
    if (!reading) {
      reading = invoker
        .lag()
        .then((lag) => {
          this.lagReadings.set(invoker, { at: Date.now(), lag });
          return lag;
        })
        .catch(() => undefined)
        .finally(() => this.lagPending.delete(invoker));
      this.lagPending.set(invoker, reading);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.lagTimeoutMs);
    });
    const lag = await Promise.race([reading, timeout]);
    clearTimeout(timer);
    return lag ?? last?.lag;
  }

  private counter(name: string, help: string, read: () => Reading, labelNames: string[] = []): void {
    new Counter({
      name: PROMETHEUS_METRIC_PREFIX + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        const value = read();
        if (typeof value === 'number') this.inc(Math.max(0, value));
        else for (const [labels, n] of value) this.inc(labels, Math.max(0, n));
      },
    });
  }

  private gauge(name: string, help: string, read: () => Reading, labelNames: string[] = []): void {
    new Gauge({
      name: PROMETHEUS_METRIC_PREFIX + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        const value = read();
        if (typeof value === 'number') this.set(value);
        else for (const [labels, n] of value) this.set(labels, n);
      },
    });
  }

  private histogram(name: string, help: string, buckets: number[]): Histogram {
    return new Histogram({
      name: PROMETHEUS_METRIC_PREFIX + name,
      help,
      buckets,
      registers: [this.registry],
    });
  }
}
