/**
 * What every long-running command shares: exit codes, graceful shutdown on
 * SIGINT/SIGTERM, and progress (a live line on a TTY, JSON lines otherwise).
 */
import { isOpenSkyStreamError } from '../errors.ts';
import { createJsonLogger, type Logger, type LogLevel } from '../logger.ts';

/** Exit codes of the `opensky-stream` command. */
export const ExitCode = {
  /** Finished, or stopped gracefully by SIGINT/SIGTERM. */
  OK: 0,
  /** A runtime failure (a service unreachable, a fatal API error). */
  FAILURE: 1,
  /** Invalid flags, environment or configuration. */
  USAGE: 2,
  /** Some records could not be delivered (counted and reported, e.g. dead-lettered). */
  PARTIAL: 3,
  /** Forced to stop by a second signal before the graceful stop finished. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM (graceful stop: flush,
 * commit, disconnect); a second signal exits at once with 130.
 */
export function shutdownSignal(logger: Logger): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn('second signal: exiting without a graceful stop', { signal: name });
      process.exit(ExitCode.INTERRUPTED);
    }
    logger.info('stopping gracefully (send the signal again to force)', { signal: name });
    controller.abort(new Error(`received ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function cliLogger(level: LogLevel = 'info', command?: string): Logger {
  return createJsonLogger({ level, base: command ? { cmd: command } : {} });
}

/**
 * Periodic progress: on a TTY one line rewritten in place; otherwise a JSON
 * log line every `everyMs` (default 10 s) so log collectors see throughput.
 */
export function startProgress(
  render: () => Record<string, number | string>,
  options: { logger: Logger; everyMs?: number; stream?: NodeJS.WriteStream } = { logger: cliLogger() },
): { stop: () => void } {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const every = options.everyMs ?? (tty ? 1000 : 10_000);
  const tick = () => {
    const fields = render();
    if (tty) {
      const line = Object.entries(fields)
        .map(([key, value]) => `${key} ${value}`)
        .join('  ');
      stream.write(`\r\x1b[2K${line}`);
    } else {
      options.logger.info('progress', fields);
    }
  };
  const timer = setInterval(tick, every);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      if (tty) stream.write('\n');
    },
  };
}

/** Per-second rate of a growing counter, for progress lines. */
export function rateMeter(): (count: number) => number {
  let lastCount = 0;
  let lastTime = performance.now();
  return (count) => {
    const now = performance.now();
    const rate = ((count - lastCount) * 1000) / Math.max(1, now - lastTime);
    lastCount = count;
    lastTime = now;
    return Math.round(rate);
  };
}

/** Map an error to an exit code and a one-line message for the user. */
export function describeFailure(error: unknown): { code: ExitCodeValue; message: string } {
  if (isOpenSkyStreamError(error)) {
    return {
      code: error.code === 'OSS_CONFIG' ? ExitCode.USAGE : ExitCode.FAILURE,
      message: `${error.code}: ${error.message}`,
    };
  }
  return { code: ExitCode.FAILURE, message: error instanceof Error ? error.message : String(error) };
}
