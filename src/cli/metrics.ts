/**
 * `--metrics-port` / `--metrics-host`: the flags, and serving a command's
 * pipelines' metrics with them (`produce`, `bridge`, `demo`).
 */
import { ConfigError, isOpenSkyStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServedPipelineMetrics } from '../metrics/serve.ts';
import type { Pipeline } from '../pipeline/create-pipeline.ts';
import type { Argv } from './config.ts';
import { envOption } from './options.ts';

export const metricsOptions = (env: NodeJS.ProcessEnv) => ({
  'metrics-port': envOption(env, 'OPENSKY_STREAM_METRICS_PORT', {
    type: 'number',
    describe:
      'Serve Prometheus /metrics, /healthz and /readyz on this port (0: any free port); off when unset',
    group: 'Metrics:',
  }),
  'metrics-host': envOption(env, 'OPENSKY_STREAM_METRICS_HOST', {
    type: 'string',
    describe: 'Address the metrics server binds (0.0.0.0 to let another machine scrape it)',
    default: '127.0.0.1',
    group: 'Metrics:',
  }),
});

/**
 * Start the metrics server when `--metrics-port` is given (else `undefined`), observing
 * `pipelines` (created, not yet run). A port that cannot be bound is a `ConfigError` (exit 2).
 */
export async function serveMetricsFromArgv(
  argv: Argv,
  pipelines: ReadonlyArray<Pick<Pipeline, 'on' | 'parts' | 'stats'>>,
  logger: Logger,
  options: { staleAfterMs?: number } = {},
): Promise<ServedPipelineMetrics | undefined> {
  const raw = argv['metrics-port'];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigError('--metrics-port', `must be an integer from 0 to 65535 (got '${raw}')`);
  const host = String(argv['metrics-host'] ?? '127.0.0.1');
  // prom-client and the registry load only when metrics are asked for: every command imports this module.
  const { servePipelineMetrics } = await import('../metrics/serve.ts');
  try {
    return await servePipelineMetrics({ port, host, pipelines, logger, ...options });
  } catch (error) {
    if (!isOpenSkyStreamError(error)) throw error;
    const cause = (error as { cause?: Error }).cause;
    throw new ConfigError(
      '--metrics-port',
      `cannot serve metrics on ${host}:${port}: ${cause?.message ?? error.message}`,
      {
        cause: error,
      },
    );
  }
}
