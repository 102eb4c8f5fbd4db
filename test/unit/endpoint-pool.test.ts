import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../../src/stack/endpoint/environment.ts';
import { EnvironmentPool, Throttled } from '../../src/stack/endpoint/pool.ts';
import type { FunctionDef } from '../../src/stack/endpoint/registry.ts';

const def = (overrides: Partial<FunctionDef> = {}): FunctionDef => ({
  name: 'fn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
  version: '$LATEST',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeout: 3,
  memorySize: 128,
  environment: {},
  codeSha256: 'a',
  codeDir: '/code/a',
  ...overrides,
});

/** A pool whose environments are fake processes: `kill` ends them, as SIGKILL would. */
function fakePool(settings: { maxConcurrency?: number; maxQueue?: number; idleTimeoutMs?: number } = {}) {
  const latest = new Map<string, FunctionDef>();
  const started: Array<{ def: FunctionDef; instance: Instance; killed: () => boolean }> = [];
  const pool = new EnvironmentPool({
    settings: { maxConcurrency: 2, maxQueue: 1, idleTimeoutMs: 1000, ...settings },
    latest: (name) => latest.get(name),
    start: async (startDef, instance, onExit) => {
      const process = {
        exitCode: null as number | null,
        signalCode: null as string | null,
        kill(signal: string) {
          if (this.signalCode !== null) return true;
          this.signalCode = signal;
          onExit();
          return true;
        },
      };
      instance.process = process as unknown as ChildProcess;
      started.push({ def: startDef, instance, killed: () => process.signalCode !== null });
    },
  });
  return { pool, latest, started };
}

describe('EnvironmentPool', () => {
  it('starts an environment on first use and reuses it while warm', async () => {
    const { pool, started } = fakePool();
    const first = await pool.acquire(def());
    pool.release(def(), first);
    const second = await pool.acquire(def());
    expect(second).toBe(first);
    expect(started).toHaveLength(1);
    expect(pool.warm()).toEqual({ 'fn:$LATEST': 1 });
  });

  it('runs at most maxConcurrency at once, queues maxQueue more, then throttles', async () => {
    const { pool, started } = fakePool({ maxConcurrency: 2, maxQueue: 1 });
    const a = await pool.acquire(def());
    const b = await pool.acquire(def());
    const queued = pool.acquire(def());
    await expect(pool.acquire(def())).rejects.toBeInstanceOf(Throttled);
    pool.release(def(), a);
    expect(await queued).toBe(a);
    expect(started).toHaveLength(2);
    expect(b.busy).toBe(true);
  });

  it('retires $LATEST environments on new code: idle ones now, a busy one after its invocation', async () => {
    const { pool, latest, started } = fakePool();
    const busy = await pool.acquire(def());
    const idle = await pool.acquire(def());
    pool.release(def(), idle);
    latest.set('fn', def({ codeSha256: 'b', codeDir: '/code/b' }));
    pool.retire('fn');
    expect(started[1]!.killed()).toBe(true);
    expect(started[0]!.killed()).toBe(false);
    pool.release(def(), busy);
    expect(started[0]!.killed()).toBe(true);
    // The next invocation of $LATEST runs what is recorded now.
    await pool.acquire(def());
    expect(started[2]!.def.codeDir).toBe('/code/b');
  });

  it('rejects the queued invocations of a deleted function', async () => {
    const { pool } = fakePool({ maxConcurrency: 1 });
    await pool.acquire(def());
    const queued = pool.acquire(def());
    pool.retire('fn', true);
    await expect(queued).rejects.toThrow('function fn was deleted');
  });

  it('stops environments unused for idleTimeoutMs, keeps busy ones', async () => {
    const { pool, started } = fakePool({ idleTimeoutMs: 1000 });
    const busy = await pool.acquire(def());
    const idle = await pool.acquire(def());
    pool.release(def(), idle);
    pool.reapIdle(Date.now() + 1001);
    expect(started[1]!.killed()).toBe(true);
    expect(started[0]!.killed()).toBe(false);
    expect(pool.warm()).toEqual({ 'fn:$LATEST': 1 });
    pool.release(def(), busy);
    pool.stopAll();
    expect(started[0]!.killed()).toBe(true);
    expect(pool.warm()).toEqual({});
  });
});
