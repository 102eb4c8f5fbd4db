import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LambdaInvokerStats } from '../../src/bridge/index.ts';
import { ConfigError } from '../../src/errors.ts';
import type { KafkaSinkStats } from '../../src/kafka/index.ts';
import {
  type MetricsServer,
  type ObservedInvoker,
  PipelineMetrics,
  pipelineReadiness,
  servePipelineMetrics,
  startMetricsServer,
} from '../../src/metrics/index.ts';
import type { OpenSkySourceStats } from '../../src/opensky/index.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { fakeKafka } from '../support/fake-kafka.ts';
import { promSamples as samples } from '../support/metrics-endpoint.ts';
import { stateVector } from '../support/records.ts';

const sourceStats = (overrides: Partial<OpenSkySourceStats> = {}): OpenSkySourceStats => ({
  requests: 0,
  failures: 0,
  retries: 0,
  rateLimited: 0,
  unchanged: 0,
  malformed: 0,
  skippedRows: 0,
  missedTicks: 0,
  futureTime: 0,
  oversized: 0,
  snapshots: 0,
  creditsUsed: 0,
  creditsRemaining: undefined,
  lastLatencyMs: 0,
  lastStates: 0,
  lastSuccessAt: undefined,
  ...overrides,
});

const sinkStats = (overrides: Partial<KafkaSinkStats> = {}): KafkaSinkStats => ({
  messages: 0,
  bytes: 0,
  batches: 0,
  errors: 0,
  lastSendMs: 0,
  sendRetries: 0,
  bufferedSnapshots: 0,
  bufferedBytes: 0,
  droppedSnapshots: 0,
  droppedMessages: 0,
  unsentSnapshots: 0,
  unsentMessages: 0,
  ...overrides,
});

const invokerStats = (overrides: Partial<LambdaInvokerStats> = {}): LambdaInvokerStats => ({
  recordsIn: 0,
  invocations: 0,
  errors: 0,
  retries: 0,
  deadLettered: 0,
  committed: 0,
  partialFailures: 0,
  lastInvokeMs: 0,
  crashes: 0,
  restarts: 0,
  polled: 0,
  filteredOut: 0,
  invokedEvents: 0,
  failedInvokeEvents: 0,
  dropped: 0,
  onFailureDelivered: 0,
  ...overrides,
});

/** A stand-in for a LambdaInvoker: stats, events, a lag reading. */
function fakeInvoker(stats: LambdaInvokerStats, lag: () => Promise<Record<number, number>>) {
  return Object.assign(new EventEmitter(), {
    stats,
    lag: vi.fn(lag),
    topic: 'aviation-data',
    consuming: true,
  });
}

describe('Class: PipelineMetrics', () => {
  it('maps the source stats to opensky_stream_ metrics, failures by reason, credits by tier', async () => {
    // Arrange
    const metrics = new PipelineMetrics({ processMetrics: false });
    const stats = sourceStats({
      snapshots: 12,
      unchanged: 4,
      failures: 2,
      rateLimited: 3,
      malformed: 1,
      requests: 25,
      retries: 5,
      creditsUsed: 16,
    });
    metrics.observeSource({ stats, tier: 'standard' });

    // Act
    const before = samples(await metrics.metrics());
    stats.creditsRemaining = 3984;
    stats.snapshots++;
    const after = samples(await metrics.metrics());

    // Assert
    expect(Object.fromEntries(before)).toMatchObject({
      opensky_stream_snapshots_fetched_total: 12,
      opensky_stream_snapshots_unchanged_total: 4,
      'opensky_stream_snapshots_failed_total{reason="retries_exhausted"}': 2,
      'opensky_stream_snapshots_failed_total{reason="rate_limited"}': 3,
      'opensky_stream_snapshots_failed_total{reason="malformed"}': 1,
      opensky_stream_opensky_requests_total: 25,
      opensky_stream_opensky_retries_total: 5,
      opensky_stream_opensky_rate_limited_total: 3,
      opensky_stream_opensky_credits_used_total: 16,
    });
    // No reading of the credits left until the API sent one: no sample rather than a false 0.
    expect([...before.keys()].some((k) => k.startsWith('opensky_stream_opensky_credits_remaining'))).toBe(
      false,
    );
    expect(after.get('opensky_stream_opensky_credits_remaining{tier="standard"}')).toBe(3984);
    expect(after.get('opensky_stream_snapshots_fetched_total')).toBe(13);
  });

  it('maps the sink stats and observes each acknowledged send in the latency histogram', async () => {
    const metrics = new PipelineMetrics({ processMetrics: false });
    const sink = Object.assign(new EventEmitter(), {
      stats: sinkStats({
        messages: 30_000,
        bytes: 12_000_000,
        batches: 12,
        errors: 2,
        sendRetries: 2,
        bufferedSnapshots: 1,
        bufferedBytes: 4096,
        droppedSnapshots: 1,
        droppedMessages: 10_000,
      }),
    });
    metrics.observeSink(sink);

    sink.emit('sent', { messages: 10, bytes: 100, ms: 20 });
    sink.emit('sent', { messages: 10, bytes: 100, ms: 700 });
    const values = Object.fromEntries(samples(await metrics.metrics()));

    expect(values).toMatchObject({
      opensky_stream_records_produced_total: 30_000,
      opensky_stream_produced_bytes_total: 12_000_000,
      opensky_stream_kafka_sends_total: 12,
      opensky_stream_kafka_send_errors_total: 2,
      opensky_stream_kafka_send_retries_total: 2,
      opensky_stream_buffered_snapshots: 1,
      opensky_stream_buffered_bytes: 4096,
      opensky_stream_dropped_snapshots_total: 1,
      opensky_stream_dropped_records_total: 10_000,
      opensky_stream_kafka_send_duration_seconds_count: 2,
      'opensky_stream_kafka_send_duration_seconds_bucket{le="0.025"}': 1,
      'opensky_stream_kafka_send_duration_seconds_bucket{le="1"}': 2,
    });
    expect(values.opensky_stream_kafka_send_duration_seconds_sum).toBeCloseTo(0.72);
  });

  it('maps the invoker stats, invoke latency and records per batch, and lag per partition', async () => {
    const metrics = new PipelineMetrics({ processMetrics: false });
    const invoker = fakeInvoker(
      invokerStats({
        recordsIn: 1500,
        invocations: 4,
        errors: 1,
        retries: 1,
        deadLettered: 500,
        committed: 3,
        partialFailures: 1,
        crashes: 1,
        restarts: 1,
      }),
      async () => ({ 0: 42, 1: 0 }),
    );
    metrics.observeInvoker(invoker);

    invoker.emit('invoke', { records: 500, ms: 120, partition: 0 });
    invoker.emit('invoke', { records: 20, ms: 30, partition: 1 });
    const values = Object.fromEntries(samples(await metrics.metrics()));

    expect(values).toMatchObject({
      opensky_stream_records_consumed_total: 1500,
      opensky_stream_lambda_invocations_total: 4,
      opensky_stream_lambda_errors_total: 1,
      opensky_stream_lambda_retries_total: 1,
      opensky_stream_lambda_partial_failures_total: 1,
      opensky_stream_dead_lettered_records_total: 500,
      opensky_stream_offset_commits_total: 3,
      opensky_stream_consumer_crashes_total: 1,
      opensky_stream_consumer_restarts_total: 1,
      opensky_stream_consumer_running: 1,
      'opensky_stream_consumer_lag{topic="aviation-data",partition="0"}': 42,
      'opensky_stream_consumer_lag{topic="aviation-data",partition="1"}': 0,
      opensky_stream_lambda_invoke_duration_seconds_count: 2,
      opensky_stream_lambda_invoke_duration_seconds_sum: 0.15,
      'opensky_stream_lambda_batch_records_bucket{le="50"}': 1,
      'opensky_stream_lambda_batch_records_bucket{le="500"}': 2,
      opensky_stream_lambda_batch_records_sum: 520,
    });
  });

  it('reads lag from the broker at most once per cache period, and shows the last reading when one fails', async () => {
    const metrics = new PipelineMetrics({ processMetrics: false, lagCacheMs: 0 });
    let fail = false;
    const invoker = fakeInvoker(invokerStats(), async () => {
      if (fail) throw new Error('broker unreachable');
      return { 0: 7 };
    });
    metrics.observeInvoker(invoker);
    const lagOf = async () =>
      samples(await metrics.metrics()).get(
        'opensky_stream_consumer_lag{topic="aviation-data",partition="0"}',
      );

    expect(await lagOf()).toBe(7);
    fail = true;
    expect(await lagOf()).toBe(7);

    const cached = new PipelineMetrics({ processMetrics: false });
    const other = fakeInvoker(invokerStats(), async () => ({ 0: 1 }));
    cached.observeInvoker(other);
    await cached.metrics();
    await cached.metrics();
    expect(other.lag).toHaveBeenCalledTimes(1);
  });

  it('gives every metric a HELP text and the opensky_stream_ prefix, process metrics included', async () => {
    const metrics = new PipelineMetrics();
    metrics.observeSource({ stats: sourceStats(), tier: 'anonymous' });
    metrics.observeSink(Object.assign(new EventEmitter(), { stats: sinkStats() }));
    metrics.observeInvoker(fakeInvoker(invokerStats(), async () => ({})));
    metrics.observePublisher({
      stats: { published: 0, failed: 0, requests: 0, retries: 0, throttled: 0, bytes: 0, lastLatencyMs: 0 },
    });

    const text = await metrics.metrics();
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    const helps = new Map([...text.matchAll(/^# HELP (\S+) (.*)$/gm)].map((m) => [m[1]!, m[2]!]));

    expect(names.length).toBeGreaterThan(45);
    for (const name of names) {
      expect(name).toMatch(/^opensky_stream_/);
      expect(helps.get(name)?.length ?? 0).toBeGreaterThan(10);
    }
    expect(names).toContain('opensky_stream_process_cpu_seconds_total');
  });

  it('observes a pipeline: the metrics of the primitives it creates, snapshots from the pipeline for a recording', async () => {
    // Arrange: a produce pipeline on a fake broker, fed by generated snapshots.
    const kafka = fakeKafka();
    async function* recording() {
      for (let n = 0; n < 2; n++)
        yield { time: 100 + n, states: [stateVector('aaaaaa'), stateVector('bbbbbb')] };
    }
    const pipeline = createPipeline({
      mode: 'produce',
      source: recording(),
      sink: { kafka: kafka.kafka },
      ensureTopic: false,
    });
    const metrics = new PipelineMetrics({ processMetrics: false }).observePipeline(pipeline);

    // Act
    await pipeline.run();
    const values = Object.fromEntries(samples(await metrics.metrics()));

    // Assert
    expect(values).toMatchObject({
      opensky_stream_snapshots_fetched_total: 2,
      opensky_stream_records_produced_total: 4,
      opensky_stream_kafka_sends_total: 2,
      opensky_stream_kafka_send_duration_seconds_count: 2,
    });
    expect(values).not.toHaveProperty('opensky_stream_lambda_invocations_total');
  });
});

describe('Function: pipelineReadiness', () => {
  it('a producing pipeline is ready once a snapshot arrived and while the broker takes sends', async () => {
    const kafka = fakeKafka();
    async function* one() {
      yield { time: 1, states: [stateVector('aaaaaa')] };
    }
    const pipeline = createPipeline({
      mode: 'produce',
      source: one(),
      sink: { kafka: kafka.kafka },
      ensureTopic: false,
    });
    const ready = pipelineReadiness(pipeline, { staleAfterMs: 60_000 });
    const stale = pipelineReadiness(pipeline, { staleAfterMs: -1 });

    expect(ready()).toMatchObject({ ready: false, checks: [{ name: 'started', ok: false }] });
    await pipeline.run();

    expect(ready().checks.map((c) => [c.name, c.ok])).toEqual([
      ['snapshots', true],
      // The sink is closed once run() returned: it takes no sends any more.
      ['kafka', false],
    ]);
    expect(stale().checks[0]).toMatchObject({ name: 'snapshots', ok: false });
  });

  it('a bridge is ready while its consumer is a member of its group', async () => {
    const kafka = fakeKafka();
    const pipeline = createPipeline({
      mode: 'bridge',
      invoker: { functionName: 'fn', kafka: kafka.kafka, deadLetterTopic: null, lambda: {} as never },
    });
    const ready = pipelineReadiness(pipeline);
    const running = pipeline.run();
    await vi.waitFor(() => expect(kafka.consumers).toHaveLength(1));
    await vi.waitFor(() => expect(kafka.consumers[0]!.eachBatch).toBeDefined());

    expect(ready()).toMatchObject({ ready: false, checks: [{ name: 'consumer', ok: false }] });
    kafka.consumers[0]!.emitter.emit('consumer.group_join', {});
    expect(ready()).toMatchObject({ ready: true, checks: [{ name: 'consumer', ok: true }] });
    kafka.consumers[0]!.crash(new Error('connection refused'));
    expect(ready().ready).toBe(false);

    await pipeline.stop();
    await running;
  });
});

describe('Function: startMetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics, /healthz and /readyz on 127.0.0.1, and nothing else', async () => {
    const metrics = new PipelineMetrics({ processMetrics: false });
    metrics.observeSink(Object.assign(new EventEmitter(), { stats: sinkStats({ messages: 5 }) }));
    let ready = false;
    server = await startMetricsServer({
      port: 0,
      registry: metrics.registry,
      ready: () => ({ ready, checks: [{ name: 'test', ok: ready, detail: '' }] }),
    });

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scrape.text()).toMatch(/^opensky_stream_records_produced_total 5$/m);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false });
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects with ConfigError when the port is taken', async () => {
    server = await startMetricsServer({
      port: 0,
      registry: new PipelineMetrics({ processMetrics: false }).registry,
    });
    await expect(
      startMetricsServer({
        port: server.port,
        registry: new PipelineMetrics({ processMetrics: false }).registry,
      }),
    ).rejects.toThrow(ConfigError);
  });

  it('servePipelineMetrics observes pipelines and answers /readyz for all of them', async () => {
    const kafka = fakeKafka();
    const bridge = createPipeline({
      mode: 'bridge',
      invoker: { functionName: 'fn', kafka: kafka.kafka, deadLetterTopic: null, lambda: {} as never },
    });
    const served = await servePipelineMetrics({ port: 0, pipelines: [bridge], processMetrics: false });
    server = served;

    const answer = await fetch(`${served.url}/readyz`);

    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ checks: [{ name: 'started', ok: false }] });
    expect(served.metrics).toBeInstanceOf(PipelineMetrics);
  });
});

// Keep the type of the fake honest: it must satisfy what the metrics read of an invoker.
const _typed: ObservedInvoker = fakeInvoker(invokerStats(), async () => ({}));
