/**
 * The worker processes of the enabled event source mappings: one forked
 * Node process per mapping (worker.ts), started with the mapping's
 * configuration, stopped gracefully (it commits what completed) and, when it
 * dies on its own, started again after a backoff that doubles per
 * consecutive failure.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backoffDelay } from '../../util/retry.ts';
import type { FromWorker, ToWorker } from './messages.ts';
import type { ResolvedEsmOptions } from './options.ts';
import type { EsmConfiguration } from './shapes.ts';

/**
 * The worker's entry beside the router: `src/stack/esm/worker.ts` when the
 * router runs from the sources (`src/stack/endpoint/router.ts`), the tsup entry
 * `dist/stack/esm-worker.js` when it runs built (`dist/stack/router.js`).
 */
export function workerEntry(routerUrl: string): string {
  const dir = dirname(fileURLToPath(routerUrl));
  return routerUrl.endsWith('.ts') ? join(dir, '..', 'esm', 'worker.ts') : join(dir, 'esm-worker.js');
}

/** What the supervisor tells its owner. */
export interface SupervisorEvents {
  /** The worker's poller has joined the group. */
  running(uuid: string): void;
  /** A new `LastProcessingResult`. */
  result(uuid: string, result: string): void;
  /** The worker died without being asked to stop; it is restarted after `restartInMs`. */
  failed(uuid: string, error: string, restartInMs: number): void;
}

interface Worker {
  configuration: EsmConfiguration;
  child?: ChildProcess;
  /** Set once a stop was asked for: the exit that follows is not a failure. */
  stopping?: Promise<void>;
  /** Consecutive failures without the poller running in between. */
  failures: number;
  lastError?: string;
  restartTimer?: NodeJS.Timeout;
}

/** Runs, stops and restarts the mappings' workers. */
export class WorkerSupervisor {
  private readonly workers = new Map<string, Worker>();
  private readonly deps: {
    entry: string;
    endpoint: string;
    region: string;
    options: ResolvedEsmOptions;
    events: SupervisorEvents;
    log: (message: string, fields?: Record<string, unknown>) => void;
  };

  constructor(deps: WorkerSupervisor['deps']) {
    this.deps = deps;
  }

  /** True when a worker runs (or is about to be restarted) for `uuid`. */
  has(uuid: string): boolean {
    return this.workers.has(uuid);
  }

  /** Start a worker for the mapping, unless one runs for it already. */
  start(configuration: EsmConfiguration): void {
    if (this.workers.has(configuration.UUID)) return;
    const worker: Worker = { configuration, failures: 0 };
    this.workers.set(configuration.UUID, worker);
    this.spawn(worker);
  }

  private spawn(worker: Worker): void {
    const { UUID: uuid } = worker.configuration;
    const child = fork(this.deps.entry, [], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ESM_UUID: uuid },
    });
    worker.child = child;
    // The worker logs JSON lines; they join the router's log (the stack's lambda.log).
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stdout, { end: false });
    child.on('message', (message: FromWorker) => {
      if (message.type === 'running') {
        worker.failures = 0;
        this.deps.events.running(uuid);
      } else if (message.type === 'result') this.deps.events.result(uuid, message.result);
      else if (message.type === 'failed') worker.lastError = message.error;
    });
    child.on('error', (error) =>
      this.deps.log('event source mapping worker error', { uuid, error: String(error) }),
    );
    child.on('exit', (code, signal) => {
      if (worker.child !== child) return;
      worker.child = undefined;
      if (worker.stopping || this.workers.get(uuid) !== worker) return;
      worker.failures++;
      const { baseMs, maxDelayMs } = this.deps.options.restart;
      const delay = backoffDelay(worker.failures, baseMs, maxDelayMs);
      const error = worker.lastError ?? `the worker exited (${signal ?? `code ${code}`})`;
      worker.lastError = undefined;
      this.deps.log('event source mapping worker died; restarting it', { uuid, error, inMs: delay });
      this.deps.events.failed(uuid, error, delay);
      worker.restartTimer = setTimeout(() => {
        worker.restartTimer = undefined;
        if (this.workers.get(uuid) === worker && !worker.stopping) this.spawn(worker);
      }, delay);
    });
    const start: ToWorker = {
      type: 'start',
      configuration: worker.configuration,
      endpoint: this.deps.endpoint,
      region: this.deps.region,
      metricsIntervalMs: this.deps.options.metricsIntervalMs,
    };
    child.send(start);
  }

  /** Stop the mapping's worker gracefully (killed after `timeoutMs`); resolves once it has exited. */
  stop(uuid: string, timeoutMs = this.deps.options.stopTimeoutMs): Promise<void> {
    const worker = this.workers.get(uuid);
    if (!worker) return Promise.resolve();
    worker.stopping ??= (async () => {
      clearTimeout(worker.restartTimer);
      const child = worker.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.send({ type: 'stop' } satisfies ToWorker);
        else child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      if (this.workers.get(uuid) === worker) this.workers.delete(uuid);
    })();
    return worker.stopping;
  }

  /** Stop the worker and start a new one with `configuration` (an update). */
  async restart(configuration: EsmConfiguration): Promise<void> {
    await this.stop(configuration.UUID);
    this.start(configuration);
  }

  /**
   * Stop every worker (the router is shutting down), killing those still running after
   * `timeoutMs`: `stack down` kills the whole process group 15 s after asking it to stop.
   */
  async close(timeoutMs = Math.min(this.deps.options.stopTimeoutMs, 12_000)): Promise<void> {
    await Promise.all([...this.workers.keys()].map((uuid) => this.stop(uuid, timeoutMs)));
  }
}
