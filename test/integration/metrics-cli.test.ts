/**
 * `produce --metrics-port` and `bridge --metrics-port` through the CLI, as a user runs them,
 * each scraped over HTTP while it works: a local OpenSky-compatible server → produce → Kafka
 * → bridge → a deployed test function.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateTraffic } from '../../src/synthetic/index.ts';
import { type RunningCli, startCli } from '../support/cli.ts';
import { cliEnv, kafkaBrokers, uniqueName } from '../support/env.ts';
import { deployTestFunction, type TestFunction } from '../support/lambda-fixtures.ts';
import { freePort, promSamples } from '../support/metrics-endpoint.ts';
import { type OpenSkyTestServer, startOpenSkyServer } from '../support/opensky-server.ts';

const HANDLER = `export const handler = async () => ({ batchItemFailures: [] });`;

/** Scrape `url` until `check` passes on its samples; on time-out, the failure with the command's output. */
async function scrapeUntil(
  url: string,
  cli: RunningCli,
  check: (values: Map<string, number>) => void,
): Promise<string> {
  let text = '';
  try {
    await vi.waitFor(
      async () => {
        const answer = await fetch(`${url}/metrics`);
        expect(answer.status).toBe(200);
        text = await answer.text();
        check(promSamples(text));
      },
      { timeout: 60_000, interval: 500 },
    );
  } catch (error) {
    const { stderr } = cli.output();
    throw new Error(
      `${(error as Error).message}\n--- exit ${cli.child.exitCode}, stderr:\n${stderr.slice(-3000)}`,
    );
  }
  return text;
}

describe('metrics endpoints of produce and bridge, through the CLI', () => {
  const id = uniqueName('metrics');
  const topic = `${id}-states`;
  const env = cliEnv();
  let server: OpenSkyTestServer;
  let fn: TestFunction;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    // A new snapshot for every request, with the credits header OpenSky sends.
    const traffic = generateTraffic({
      aircraft: 50,
      seed: 7,
      stepSeconds: 10,
      time: Math.floor(Date.now() / 1000) - 600,
    });
    server = await startOpenSkyServer({
      reply: (n) => ({ body: traffic.next().value, headers: { 'x-rate-limit-remaining': String(4000 - n) } }),
    });
    fn = await deployTestFunction(`${id}-fn`, HANDLER);
  }, 300_000);

  afterAll(async () => {
    for (const cli of running) await cli.stop();
    await server?.close();
    await fn?.dispose();
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('serves /metrics with non-zero opensky_stream_ series, /healthz and /readyz, and stops cleanly', async () => {
    // Arrange: both commands with a metrics port each.
    const [producePort, bridgePort] = [await freePort(), await freePort()];
    const produce = startCli(
      [
        'produce',
        '--base-url',
        server.baseUrl,
        '--interval',
        '500ms',
        '--topic',
        topic,
        '--metrics-port',
        String(producePort),
      ],
      env,
    );
    running.push(produce);
    const produceUrl = `http://127.0.0.1:${producePort}`;

    // Act + Assert: produce.
    const produced = await scrapeUntil(produceUrl, produce, (values) => {
      expect(values.get('opensky_stream_snapshots_fetched_total')).toBeGreaterThanOrEqual(2);
      expect(values.get('opensky_stream_records_produced_total')).toBeGreaterThan(0);
    });
    const p = promSamples(produced);
    expect(p.get('opensky_stream_produced_bytes_total')).toBeGreaterThan(0);
    expect(p.get('opensky_stream_kafka_send_duration_seconds_count')).toBeGreaterThan(0);
    expect(p.get('opensky_stream_opensky_requests_total')).toBeGreaterThan(0);
    expect(p.get('opensky_stream_opensky_credits_remaining{tier="anonymous"}')).toBeGreaterThan(3900);
    expect(p.get('opensky_stream_buffered_snapshots')).toBeGreaterThanOrEqual(0);
    expect(p.get('opensky_stream_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(produced).toMatch(/^# HELP opensky_stream_records_produced_total \S/m);
    expect((await fetch(`${produceUrl}/healthz`)).status).toBe(200);
    const produceReady = await fetch(`${produceUrl}/readyz`);
    expect(produceReady.status, await produceReady.clone().text()).toBe(200);
    expect(await produceReady.json()).toMatchObject({ ready: true });

    // Act + Assert: bridge, from the start of the topic, to the deployed function.
    const bridge = startCli(
      [
        'bridge',
        '--function-name',
        fn.name,
        '--topic',
        topic,
        '--group-id',
        `${id}-bridge`,
        '--starting-position',
        'TRIM_HORIZON',
        '--metrics-port',
        String(bridgePort),
      ],
      env,
    );
    running.push(bridge);
    const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
    // Wait for a whole invocation: the counter goes up when an Invoke starts, the histograms
    // and the commit when it has returned.
    const bridged = await scrapeUntil(bridgeUrl, bridge, (values) => {
      expect(values.get('opensky_stream_lambda_invocations_total')).toBeGreaterThan(0);
      expect(values.get('opensky_stream_lambda_invoke_duration_seconds_count')).toBeGreaterThan(0);
      expect(values.get('opensky_stream_offset_commits_total')).toBeGreaterThan(0);
      expect(values.get('opensky_stream_consumer_running')).toBe(1);
      expect([...values.keys()].some((k) => k.startsWith('opensky_stream_consumer_lag{'))).toBe(true);
    });
    const b = promSamples(bridged);
    expect(b.get('opensky_stream_records_consumed_total')).toBeGreaterThan(0);
    expect(b.get('opensky_stream_lambda_batch_records_sum')).toBeGreaterThan(0);
    expect(b.get('opensky_stream_lambda_errors_total')).toBe(0);
    expect(b.get('opensky_stream_dead_lettered_records_total')).toBe(0);
    expect(b.has('opensky_stream_snapshots_fetched_total')).toBe(false);
    expect((await fetch(`${bridgeUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${bridgeUrl}/readyz`)).status).toBe(200);

    // Both stop gracefully on SIGTERM, and the endpoints go with them.
    const [produceExit, bridgeExit] = await Promise.all([produce.stop(), bridge.stop()]);
    expect(produceExit.code, produceExit.stderr).toBe(0);
    expect(bridgeExit.code, bridgeExit.stderr).toBe(0);
    await expect(fetch(`${produceUrl}/healthz`)).rejects.toThrow();
  }, 240_000);
});
