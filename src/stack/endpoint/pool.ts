/**
 * The execution environment pool: per function version, the warm
 * environments, started on first use (cold start), reused while warm,
 * stopped after `idleTimeoutMs` unused, at most `maxConcurrency` at once;
 * further invocations queue (up to `maxQueue`, then {@link Throttled}).
 * New code or configuration retires an environment (see {@link EnvironmentPool.retire}).
 */
import { type Instance, isAlive } from './environment.ts';
import type { FunctionDef } from './registry.ts';

/** Invoke's 429: every environment is busy and the queue is full. */
export class Throttled extends Error {}

/** The endpoint is stopping: no new invocation starts (see {@link EnvironmentPool.close}). */
export class Stopping extends Error {
  constructor() {
    super('the local AWS endpoint is stopping; invoke again once it is back');
  }
}

/** Lambda's limits, as the pool applies them. */
export interface PoolSettings {
  maxConcurrency: number;
  maxQueue: number;
  idleTimeoutMs: number;
}

/** What the pool asks of the endpoint. */
export interface PoolDeps {
  settings: PoolSettings;
  /** The $LATEST now recorded for function `name`. */
  latest(name: string): FunctionDef | undefined;
  /** Start an environment for `def` into `instance`; `onExit` runs when its process ends. */
  start(def: FunctionDef, instance: Instance, onExit: () => void): Promise<void>;
}

interface Pool {
  key: string;
  def: FunctionDef;
  instances: Instance[];
  waiting: Array<{ resolve: (instance: Instance) => void; reject: (error: unknown) => void }>;
}

/** What makes two definitions run the same environment. */
const fingerprint = (def: FunctionDef) =>
  JSON.stringify([def.codeDir, def.handler, def.runtime, def.timeout, def.memorySize, def.environment]);

const keyOf = (def: FunctionDef) => `${def.name}:${def.version}`;

/** Warm execution environments, by `name:version`. */
export class EnvironmentPool {
  private readonly pools = new Map<string, Pool>();
  private readonly deps: PoolDeps;
  private reaper?: NodeJS.Timeout;
  private closing = false;

  constructor(deps: PoolDeps) {
    this.deps = deps;
  }

  /** Stop idle environments from now on, as Lambda recycles them (checked every ≤ 30 s). */
  startReaping(): void {
    this.reaper ??= setInterval(
      () => this.reapIdle(),
      Math.min(30_000, this.deps.settings.idleTimeoutMs / 2),
    ).unref();
  }

  /** An execution environment for `wanted`: a warm idle one, a new one (cold start), or the next one freed. */
  async acquire(wanted: FunctionDef): Promise<Instance> {
    if (this.closing) throw new Stopping();
    // $LATEST always runs what is recorded now, even for a request that resolved it before an update.
    const def = wanted.version === '$LATEST' ? (this.deps.latest(wanted.name) ?? wanted) : wanted;
    const key = keyOf(def);
    let pool = this.pools.get(key);
    if (!pool || fingerprint(pool.def) !== fingerprint(def)) {
      if (pool) this.retirePool(pool, def);
      pool = { key, def, instances: [], waiting: [] };
      this.pools.set(key, pool);
    }
    const idle = pool.instances.find((instance) => !instance.busy && isAlive(instance));
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (pool.instances.length < this.deps.settings.maxConcurrency) {
      const instance: Instance = { port: 0, busy: true, lastUsed: Date.now(), log: [] };
      pool.instances.push(instance);
      const owner = pool;
      try {
        await this.deps.start(def, instance, () => {
          owner.instances = owner.instances.filter((other) => other !== instance);
        });
        return instance;
      } catch (error) {
        owner.instances = owner.instances.filter((other) => other !== instance);
        instance.process?.kill('SIGKILL');
        throw error;
      }
    }
    if (pool.waiting.length >= this.deps.settings.maxQueue) throw new Throttled('Rate Exceeded.');
    const current = pool;
    return new Promise((resolveWait, reject) => current.waiting.push({ resolve: resolveWait, reject }));
  }

  /** Give `instance` back after an invocation of `def`: to the next queued invocation, or idle. */
  release(def: FunctionDef, instance: Instance): void {
    instance.lastUsed = Date.now();
    const pool = this.pools.get(keyOf(def));
    if (!pool?.instances.includes(instance) || !isAlive(instance)) {
      // Retired (new code or configuration) or crashed: this environment is done.
      instance.process?.kill('SIGKILL');
      const waiter = pool?.waiting.shift();
      if (waiter && pool) this.acquire(pool.def).then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = pool.waiting.shift();
    if (waiter) waiter.resolve(instance);
    else instance.busy = false;
  }

  /**
   * New code or configuration retires the $LATEST environments (published
   * versions never change); deleting the function retires all of them.
   */
  retire(name: string, deleted = false): void {
    for (const pool of [...this.pools.values()]) {
      if (pool.def.name !== name || (!deleted && pool.def.version !== '$LATEST')) continue;
      this.retirePool(pool, deleted ? undefined : this.deps.latest(name));
    }
  }

  /** Environments per `name:version`, for `/_stack/health`. */
  warm(): Record<string, number> {
    return Object.fromEntries([...this.pools.values()].map((pool) => [pool.key, pool.instances.length]));
  }

  /**
   * The endpoint is stopping: refuse new invocations ({@link Stopping}); those running or
   * queued go on, so their callers get the function's own answer (see {@link drained}).
   */
  close(): void {
    this.closing = true;
  }

  /** True once {@link close} was called. */
  get stopping(): boolean {
    return this.closing;
  }

  /** Resolves true once no invocation runs or waits, or false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const busy = () =>
      [...this.pools.values()].some(
        (pool) => pool.waiting.length > 0 || pool.instances.some((instance) => instance.busy),
      );
    while (busy()) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolveLater) => setTimeout(resolveLater, 20));
    }
    return true;
  }

  /**
   * Kill every environment, busy or not, and stop reaping. Always SIGKILL: an invocation it
   * cuts fails (the caller retries), whereas RIE answers one cut by SIGTERM with an empty 200.
   */
  stopAll(): void {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
    for (const pool of this.pools.values()) {
      for (const instance of pool.instances) instance.process?.kill('SIGKILL');
    }
    this.pools.clear();
  }

  /** Stop environments nobody used for `idleTimeoutMs`. */
  reapIdle(now = Date.now()): void {
    for (const pool of this.pools.values()) {
      for (const instance of pool.instances) {
        if (!instance.busy && now - instance.lastUsed > this.deps.settings.idleTimeoutMs) {
          pool.instances = pool.instances.filter((other) => other !== instance);
          instance.process?.kill('SIGKILL');
        }
      }
    }
  }

  /** Stop a pool's environments: idle ones now, busy ones when their invocation ends (see {@link release}). */
  private retirePool(pool: Pool, replacement?: FunctionDef): void {
    if (this.pools.get(pool.key) === pool) this.pools.delete(pool.key);
    for (const instance of pool.instances) if (!instance.busy) instance.process?.kill('SIGKILL');
    for (const waiter of pool.waiting.splice(0)) {
      // Queued invocations start again on the new definition.
      if (replacement) this.acquire(replacement).then(waiter.resolve, waiter.reject);
      else waiter.reject(new Error(`function ${pool.def.name} was deleted`));
    }
  }
}
