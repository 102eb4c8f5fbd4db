/**
 * One call to serve a running pipeline's (or several pipelines') metrics and
 * health: what `produce`, `bridge` and `demo` use.
 *
 * @module
 */
import type { Logger } from '../logger.ts';
import type { Pipeline } from '../pipeline/create-pipeline.ts';
import { pipelineReadiness, type ReadinessReport } from './readiness.ts';
import { PipelineMetrics, type PipelineMetricsOptions } from './registry.ts';
import { type MetricsServer, startMetricsServer } from './server.ts';

/** Options of {@link servePipelineMetrics}. */
export interface ServePipelineMetricsOptions extends PipelineMetricsOptions {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The pipelines to observe; create them, call this, then `run()` them. */
  pipelines: ReadonlyArray<Pick<Pipeline, 'on' | 'parts' | 'stats'>>;
  /** See {@link ReadinessOptions.staleAfterMs}. @default 60000 */
  staleAfterMs?: number;
  logger?: Logger;
}

/** A serving metrics endpoint and the metrics behind it. */
export interface ServedPipelineMetrics extends MetricsServer {
  readonly metrics: PipelineMetrics;
}

/**
 * Observe `pipelines` and serve `/metrics`, `/healthz` and `/readyz` (ready when every
 * pipeline is).
 *
 * @example
 * ```ts
 * const served = await servePipelineMetrics({ port: 9464, pipelines: [pipeline] });
 * try { await pipeline.run(); } finally { await served.close(); }
 * ```
 */
export async function servePipelineMetrics(
  options: ServePipelineMetricsOptions,
): Promise<ServedPipelineMetrics> {
  const metrics = new PipelineMetrics(options);
  const checks = options.pipelines.map((pipeline) => {
    metrics.observePipeline(pipeline);
    return pipelineReadiness(
      pipeline,
      options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs },
    );
  });
  const server = await startMetricsServer({
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    registry: metrics.registry,
    ready: (): ReadinessReport => {
      const reports = checks.map((check) => check());
      return { ready: reports.every((r) => r.ready), checks: reports.flatMap((r) => r.checks) };
    },
  });
  options.logger?.info('serving metrics', {
    metrics: `${server.url}/metrics`,
    readyz: `${server.url}/readyz`,
  });
  return Object.assign(server, { metrics });
}
