/**
 * FailoverSource: a chain of snapshot sources, most preferred first. It polls
 * one at a time, moves to the next when the active one is exhausted, blocked
 * or stale, and comes back to a preferred one once a probe finds it answering.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { pause } from '../util/retry.ts';
import {
  type CandidatePoller,
  type FailoverSourceOptions,
  type ResolvedFailoverSourceOptions,
  resolveFailoverSourceOptions,
} from './failover-options.ts';
import {
  classifyError,
  classifyStall,
  type HealthBaseline,
  healthBaseline,
  type SwitchReason,
} from './health.ts';

/** A snapshot of a failover chain: tagged with the source it came from. */
export interface SourcedSnapshot extends Snapshot {
  /** The `source` header its records carry; unset for the sink's default. */
  source?: string;
  /** The candidate's name. */
  candidate: string;
}

/** One switch of the chain. */
export interface FailoverSwitch {
  from: string;
  to: string;
  reason: SwitchReason;
  /** ms since the epoch. */
  at: number;
}

/** Counters of one candidate. */
export interface CandidateStats {
  /** Snapshots it gave the chain. */
  snapshots: number;
  /** Times it became the active source. */
  activations: number;
  /** Times it was left, by reason. */
  left: Record<SwitchReason, number>;
  /** Probes of it while a fallback was active, and how many found it answering. */
  probes: number;
  recoveries: number;
}

/** Counters of a {@link FailoverSource}. */
export interface FailoverSourceStats {
  /** The candidate being polled. */
  active: string;
  /** Switches so far (each logged and emitted as `switch`). */
  switches: number;
  /** Snapshots yielded, all candidates together. */
  snapshots: number;
  /** Per candidate, by name. */
  sources: Record<string, CandidateStats>;
}

/** Events of a {@link FailoverSource}. */
export interface FailoverSourceEvents {
  switch: [FailoverSwitch];
}

/** A candidate's open poller. */
interface Run {
  index: number;
  controller: AbortController;
  iterator: AsyncIterator<Snapshot>;
  poller: CandidatePoller;
  pending: Promise<Step> | undefined;
  openedAt: number;
  lastFreshAt: number;
  lastTime: number;
  baseline: HealthBaseline;
}

type Step =
  | { kind: 'value'; run: Run; value: Snapshot }
  | { kind: 'done'; run: Run }
  | { kind: 'error'; run: Run; error: unknown }
  | { kind: 'tick' };

const emptyLeft = (): Record<SwitchReason, number> => ({
  exhausted: 0,
  blocked: 0,
  stale: 0,
  ended: 0,
  recovered: 0,
});

/**
 * An async-iterable chain of sources. One candidate polls at a time; it is left
 * when its poller throws (401/403, another 4xx), ends, or yields no newer
 * snapshot for `staleAfterMs` (429s, credits at 0, 5xx or refused connections
 * through their retries, frozen data), and the next one is opened (after the
 * last, the first again). While a fallback is active, the more preferred
 * candidates are probed in turn every `probeEveryMs`: a probe that yields a
 * current snapshot within `staleAfterMs` becomes the active source. Snapshots
 * come out in time order: one not newer than the last yielded is dropped, so a
 * switch never sends the same moment twice. Each switch is logged, counted in
 * {@link FailoverSource.stats} and emitted as `switch`.
 *
 * @example
 * ```ts
 * const chain = new FailoverSource({
 *   intervalMs: 5000,
 *   candidates: [
 *     { name: 'opensky', open: (signal) => new OpenSkySource({ intervalMs: 5000, bbox, signal }) },
 *     { name: 'adsb.lol', header: 'adsb.lol', open: (signal) => new AdsbApiSource({ provider: 'adsb.lol', bbox, intervalMs: 5000, signal }) },
 *   ],
 * });
 * chain.on('switch', (s) => console.log(`${s.from} → ${s.to}: ${s.reason}`));
 * for await (const snapshot of chain) console.log(snapshot.candidate, snapshot.states.length);
 * ```
 */
export class FailoverSource
  extends EventEmitter<FailoverSourceEvents>
  implements AsyncIterable<SourcedSnapshot>
{
  readonly stats: FailoverSourceStats;
  private readonly options: ResolvedFailoverSourceOptions;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;

  constructor(options: FailoverSourceOptions) {
    super();
    this.options = resolveFailoverSourceOptions(options);
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.stopper.signal])
      : this.stopper.signal;
    const sources: Record<string, CandidateStats> = {};
    for (const { name } of this.options.candidates)
      sources[name] = { snapshots: 0, activations: 0, left: emptyLeft(), probes: 0, recoveries: 0 };
    this.stats = { active: this.options.candidates[0]!.name, switches: 0, snapshots: 0, sources };
  }

  /** The candidates' names, most preferred first. */
  get names(): string[] {
    return this.options.candidates.map((c) => c.name);
  }

  /** Stop polling; a pending iteration ends. Idempotent. */
  stop(): void {
    this.stopper.abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourcedSnapshot> {
    const { candidates, staleAfterMs, probeEveryMs, intervalMs, maxSnapshots } = this.options;
    let active = this.open(0);
    this.stats.sources[candidates[0]!.name]!.activations++;
    let probe: Run | undefined;
    let probeCursor = 0;
    let nextProbeAt = Date.now() + probeEveryMs;
    let lastYielded = Number.NEGATIVE_INFINITY;
    // Candidates left in a row without one fresh snapshot: once all were, wait an interval
    // before the next, so a chain of dead sources does not spin.
    let failedInRow = 0;
    const aborted = new Promise<Step>((resolve) => {
      if (this.signal.aborted) resolve({ kind: 'tick' });
      else this.signal.addEventListener('abort', () => resolve({ kind: 'tick' }), { once: true });
    });

    const leave = async (reason: SwitchReason): Promise<void> => {
      const from = active.index;
      this.close(active);
      if (probe) probe = this.close(probe);
      failedInRow++;
      if (failedInRow >= candidates.length && !(await pause(intervalMs, this.signal))) return;
      const to = (from + 1) % candidates.length;
      active = this.open(to);
      this.switched(from, to, reason);
      probeCursor = 0;
      nextProbeAt = Date.now() + probeEveryMs;
    };

    try {
      while (!this.signal.aborted) {
        const deadlines = [active.lastFreshAt + staleAfterMs];
        if (probe) deadlines.push(probe.openedAt + staleAfterMs);
        else if (active.index > 0) deadlines.push(nextProbeAt);
        const wait = Math.max(0, Math.min(...deadlines) - Date.now());
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<Step>((resolve) => {
          timer = setTimeout(() => resolve({ kind: 'tick' }), wait);
        });
        const step = await Promise.race([
          this.pull(active),
          ...(probe ? [this.pull(probe)] : []),
          tick,
          aborted,
        ]);
        clearTimeout(timer);
        if (this.signal.aborted) return;
        const now = Date.now();

        if (step.kind === 'tick') {
          if (now >= active.lastFreshAt + staleAfterMs) {
            await leave(classifyStall(active.poller.stats, active.baseline));
          } else if (probe && now >= probe.openedAt + staleAfterMs) {
            probe = this.close(probe);
            probeCursor = (probeCursor + 1) % active.index;
            nextProbeAt = now + probeEveryMs;
          } else if (!probe && active.index > 0 && now >= nextProbeAt) {
            probe = this.open(probeCursor);
            this.stats.sources[candidates[probeCursor]!.name]!.probes++;
          }
          continue;
        }

        const { run } = step;
        run.pending = undefined;
        if (run === probe) {
          // Current data from the preferred source (not as far behind the chain as would count as
          // stale: sources tick at their own pace, so "newer than the last yielded" is too strict).
          if (step.kind === 'value' && (lastYielded - step.value.time) * 1000 < staleAfterMs) {
            // The preferred source answers again: it becomes the active one, poller and all.
            const from = active.index;
            this.close(active);
            active = probe;
            probe = undefined;
            this.stats.sources[candidates[active.index]!.name]!.recoveries++;
            this.switched(from, active.index, 'recovered');
            probeCursor = 0;
            active.lastFreshAt = now;
            active.lastTime = step.value.time;
            failedInRow = 0;
            if (step.value.time <= lastYielded) continue;
            lastYielded = step.value.time;
            yield this.tag(active, step.value);
          } else if (step.kind !== 'value') {
            probe = this.close(probe);
            probeCursor = (probeCursor + 1) % active.index;
            nextProbeAt = now + probeEveryMs;
          }
        } else if (step.kind === 'value') {
          if (step.value.time <= run.lastTime) continue;
          run.lastTime = step.value.time;
          run.lastFreshAt = now;
          failedInRow = 0;
          if (step.value.time <= lastYielded) continue;
          lastYielded = step.value.time;
          yield this.tag(run, step.value);
        } else {
          if (step.kind === 'error')
            this.logger.warn('source failed', {
              source: candidates[run.index]!.name,
              error: (step.error as Error)?.message ?? String(step.error),
            });
          await leave(step.kind === 'error' ? classifyError(step.error) : 'ended');
        }
        if (maxSnapshots !== undefined && this.stats.snapshots >= maxSnapshots) return;
      }
    } finally {
      this.close(active);
      if (probe) this.close(probe);
    }
  }

  private open(index: number): Run {
    const controller = new AbortController();
    const poller = this.options.candidates[index]!.open(AbortSignal.any([this.signal, controller.signal]));
    const now = Date.now();
    return {
      index,
      controller,
      poller,
      iterator: poller[Symbol.asyncIterator](),
      pending: undefined,
      openedAt: now,
      lastFreshAt: now,
      lastTime: Number.NEGATIVE_INFINITY,
      baseline: healthBaseline(poller.stats),
    };
  }

  /** Stop a poller: its signal aborts its waits, so its pending poll ends soon. */
  private close(run: Run): undefined {
    run.controller.abort();
    // An async generator's return() waits for a pending next(); never wait for it here.
    void run.iterator.return?.().catch(() => undefined);
    return undefined;
  }

  /** The run's next step; one next() at a time, kept across loop turns. */
  private pull(run: Run): Promise<Step> {
    run.pending ??= run.iterator.next().then(
      (result): Step => (result.done ? { kind: 'done', run } : { kind: 'value', run, value: result.value }),
      (error: unknown): Step => ({ kind: 'error', run, error }),
    );
    return run.pending;
  }

  private tag(run: Run, snapshot: Snapshot): SourcedSnapshot {
    const candidate = this.options.candidates[run.index]!;
    this.stats.snapshots++;
    this.stats.sources[candidate.name]!.snapshots++;
    return {
      ...snapshot,
      candidate: candidate.name,
      ...(candidate.header ? { source: candidate.header } : {}),
    };
  }

  private switched(fromIndex: number, toIndex: number, reason: SwitchReason): void {
    const from = this.options.candidates[fromIndex]!.name;
    const to = this.options.candidates[toIndex]!.name;
    this.stats.switches++;
    this.stats.active = to;
    this.stats.sources[from]!.left[reason]++;
    this.stats.sources[to]!.activations++;
    const event: FailoverSwitch = { from, to, reason, at: Date.now() };
    this.logger.warn('switched source', { from, to, reason });
    this.emit('switch', event);
  }
}
