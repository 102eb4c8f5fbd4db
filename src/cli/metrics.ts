/**
 * `--metrics-port` / `--metrics-host`: the flags, and serving a command's
 * pipelines' metrics with them (`produce`, `bridge`, `demo`).
 */
import { ConfigError, isOpenSkyStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServedPipelineMetrics } from '../metrics/serve.ts';
import type { Pipeline } from '../pipeline/create-pipeline.ts';
import { type FlagValues, flags } from './flags.ts';

/** A TCP port, 0 (any free one) to 65535. */
function port(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new ConfigError(`--${flag}`, `must be an integer from 0 to 65535 (got '${value}')`);
  return value;
}

export const metricsFlags = flags({
  'metrics-port': {
    type: 'number',
    to: 'metrics.port',
    env: 'OPENSKY_STREAM_METRICS_PORT',
    describe:
      'Serve Prometheus /metrics, /healthz and /readyz on this port (0: any free port); off when unset',
    group: 'Metrics:',
    parse: port,
  },
  'metrics-host': {
    type: 'string',
    to: 'metrics.host',
    env: 'OPENSKY_STREAM_METRICS_HOST',
    describe: 'Address the metrics server binds (0.0.0.0 to let another machine scrape it)',
    default: '127.0.0.1',
    group: 'Metrics:',
  },
});

export type MetricsFlags = FlagValues<typeof metricsFlags>['metrics'];

/**
 * Start the metrics server when `--metrics-port` is given (else `undefined`), observing
 * `pipelines` (created, not yet run). A port that cannot be bound is a `ConfigError` (exit 2).
 */
export async function serveMetrics(
  metrics: MetricsFlags,
  pipelines: ReadonlyArray<Pick<Pipeline, 'on' | 'parts' | 'stats'>>,
  logger: Logger,
  options: { staleAfterMs?: number } = {},
): Promise<ServedPipelineMetrics | undefined> {
  const { port, host } = metrics;
  if (port === undefined) return undefined;
  // prom-client and the registry load only when metrics are asked for.
  const { servePipelineMetrics } = await import('../metrics/serve.ts');
  try {
    return await servePipelineMetrics({ port, host, pipelines, logger, ...options });
  } catch (error) {
    if (!isOpenSkyStreamError(error)) throw error;
    const cause = error.cause instanceof Error ? error.cause : undefined;
    throw new ConfigError(
      '--metrics-port',
      `cannot serve metrics on ${host}:${port}: ${cause?.message ?? error.message}`,
      { cause: error },
    );
  }
}
