/**
 * How a long-running command runs (`produce`, `bridge`, `demo`): its logger,
 * graceful shutdown on SIGINT/SIGTERM (a second signal forces, exit 130), the
 * metrics server, `--duration`, the progress line, the `done` line and the
 * exit code, written once here rather than in each command.
 */
import type { Logger, LogLevel } from '../logger.ts';
import type { ServedPipelineMetrics } from '../metrics/serve.ts';
import type { Pipeline } from '../pipeline/create-pipeline.ts';
import { type MetricsFlags, serveMetrics } from './metrics.ts';
import { cliLogger, shutdownSignal, startProgress } from './runtime.ts';

/** What a service is given to start with. */
export interface ServiceContext {
  logger: Logger;
  /** Aborts on the first SIGINT/SIGTERM: stop gracefully. */
  signal: AbortSignal;
}

/** A started service, as {@link runService} drives it. */
export interface Service {
  /** The pipelines the metrics server observes (created, not yet run). */
  pipelines?: ReadonlyArray<Pick<Pipeline, 'on' | 'parts' | 'stats'>>;
  /** `/readyz` turns stale after this long without progress (the metrics server's default otherwise). */
  staleAfterMs?: number;
  /** Called with the metrics server, when there is one, before the service runs. */
  onMetrics?(served: ServedPipelineMetrics): Promise<void> | void;
  /** The fields of the progress line, read every second on a TTY, every 10 s in logs; none when absent. */
  progress?(): Record<string, number | string>;
  /** Run until done or stopped; resolves to the exit code. */
  run(): Promise<number>;
  /** Stop gracefully, as `--duration` asks when it ends (SIGINT/SIGTERM abort the context's signal). */
  stop(): void;
  /** Release what the service holds, after it ran or failed. */
  close?(): Promise<void>;
  /** The fields of the `done` line logged at the end. */
  done(): Record<string, unknown>;
}

export interface ServiceOptions {
  /** The command, as log lines name it (`cmd`). */
  name: string;
  logLevel: LogLevel;
  metrics: MetricsFlags;
  /** `--duration`: stop after this long. */
  durationMs?: number | undefined;
}

/**
 * Start a service with a logger and a shutdown signal, serve its metrics,
 * run it with `--duration` and a progress line, then stop all of it in order
 * whatever happened. Resolves to the service's exit code; a failure to start,
 * serve metrics or run rejects (main.ts maps it to an exit code).
 */
export async function runService(
  options: ServiceOptions,
  start: (context: ServiceContext) => Promise<Service> | Service,
): Promise<number> {
  const logger = cliLogger(options.logLevel, options.name);
  const { signal, dispose } = shutdownSignal(logger);
  let service: Service | undefined;
  let served: ServedPipelineMetrics | undefined;
  let timer: NodeJS.Timeout | undefined;
  let progress: { stop(): void } | undefined;
  let running = false;
  try {
    service = await start({ logger, signal });
    const started = service;
    served = await serveMetrics(
      options.metrics,
      started.pipelines ?? [],
      logger,
      started.staleAfterMs === undefined ? {} : { staleAfterMs: started.staleAfterMs },
    );
    if (served) await started.onMetrics?.(served);
    if (options.durationMs) timer = setTimeout(() => started.stop(), options.durationMs);
    const render = started.progress?.bind(started);
    if (render) progress = startProgress(render, { logger });
    running = true;
    return await started.run();
  } finally {
    progress?.stop();
    clearTimeout(timer);
    await service?.close?.();
    await served?.close();
    dispose();
    if (running && service) logger.info('done', service.done());
  }
}
