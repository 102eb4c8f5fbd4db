/**
 * OpenSkySource: polls `/api/states/all` on a fixed schedule and yields
 * snapshots, surviving the API's usual faults.
 *
 * @module
 */
import crossFetch from 'cross-fetch';
import { type ParsedStates, parseStatesResponse } from '../domain/state-vector.ts';
import type { StateVector } from '../domain/types.ts';
import { AbortError, AuthError, isOpenSkyStreamError, OpenSkyHttpError, ValidationError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { loadTracing, startSpan } from '../tracing/spans.ts';
import { type BodyText, readBodyText } from '../util/read-body.ts';
import { backoffDelay, pause, sleep } from '../util/retry.ts';
import { OPENSKY_TOKEN_URL, TokenProvider } from './auth.ts';
import { boundFields } from './bounds.ts';
import {
  budgetLastsMs,
  type CreditTier,
  CreditTiers,
  creditCost,
  pacedIntervalMs,
  periodRemainingMs,
} from './credits.ts';
import { dnsFailureCode, offlineMessage } from './offline.ts';
import {
  type OpenSkySourceOptions,
  type ResolvedOpenSkySourceOptions,
  resolveOpenSkySourceOptions,
} from './options.ts';

// Kept for modules that import it from here.
export type { OpenSkySourceOptions } from './options.ts';

/** One poll's result. */
export interface Snapshot {
  /** Unix seconds the data is valid for (the response's `time`). */
  time: number;
  states: StateVector[];
  /** When the response arrived (ms since epoch). */
  fetchedAt: number;
  /** Rows that were malformed and left out. */
  skippedRows: number;
  /** The poll's span context (a `traceparent` value), when an OpenTelemetry tracer is registered. */
  traceparent?: string;
}

/** Counters of an {@link OpenSkySource}. */
export interface OpenSkySourceStats {
  requests: number;
  failures: number;
  retries: number;
  rateLimited: number;
  unchanged: number;
  malformed: number;
  skippedRows: number;
  missedTicks: number;
  snapshots: number;
  creditsUsed: number;
  /** From `X-Rate-Limit-Remaining`, when the API sent it. */
  creditsRemaining: number | undefined;
  lastLatencyMs: number;
  lastStates: number;
  /** Responses whose `time` lay more than `futureToleranceMs` ahead of this machine's clock: skipped. */
  futureTime: number;
  /** Responses larger than `maxResponseBytes`: abandoned unread. */
  oversized: number;
  /** When the last valid response arrived, new or unchanged (ms since the epoch); for readiness checks. */
  lastSuccessAt: number | undefined;
}

/** A {@link Snapshot} from a parsed response. */
export function snapshotOf({ response, skipped }: ParsedStates): Snapshot {
  return { time: response.time, states: response.states, fetchedAt: Date.now(), skippedRows: skipped.length };
}

type PollResult = { kind: 'snapshot'; snapshot: Snapshot } | { kind: 'skip' };

/**
 * An async-iterable poller of OpenSky's `/api/states/all`.
 *
 * @example
 * ```ts
 * const source = new OpenSkySource({ bbox: { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 } });
 * for await (const snapshot of source) console.log(snapshot.time, snapshot.states.length);
 * ```
 */
export class OpenSkySource implements AsyncIterable<Snapshot> {
  readonly stats: OpenSkySourceStats = {
    requests: 0,
    failures: 0,
    retries: 0,
    rateLimited: 0,
    unchanged: 0,
    malformed: 0,
    skippedRows: 0,
    missedTicks: 0,
    snapshots: 0,
    creditsUsed: 0,
    creditsRemaining: undefined,
    lastLatencyMs: 0,
    lastStates: 0,
    futureTime: 0,
    oversized: 0,
    lastSuccessAt: undefined,
  };
  /** Credits one request costs. */
  readonly cost: number;
  /** The account tier the credits are budgeted for. */
  readonly tier: CreditTier;
  private readonly options: ResolvedOpenSkySourceOptions;
  private readonly logger: Logger;
  private readonly tokens: TokenProvider | undefined;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private lastTime = -1;
  /** The API's host did not resolve and that was said: quiet until a request goes through again. */
  private offline = false;

  /** Throws `ConfigError` naming the option when `options` are invalid. */
  constructor(options: OpenSkySourceOptions = {}) {
    this.options = resolveOpenSkySourceOptions(options);
    const { bbox, credentials, fetch, logger, requestTimeoutMs, signal } = this.options;
    this.logger = logger ?? silentLogger;
    this.cost = creditCost(bbox);
    this.tier = this.options.tier;
    this.tokens = credentials
      ? new TokenProvider(credentials, { ...(fetch ? { fetch } : {}), timeoutMs: requestTimeoutMs })
      : undefined;
    this.signal = signal ? AbortSignal.any([signal, this.stopper.signal]) : this.stopper.signal;
  }

  /** The request URL, with the box, transponder filter and `extended`. */
  get url(): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const url = new URL(`${base}/states/all`);
    const { bbox, icao24, extended } = this.options;
    if (bbox) for (const [key, value] of Object.entries(bbox)) url.searchParams.set(key, String(value));
    for (const id of icao24 ?? []) url.searchParams.append('icao24', id);
    if (extended) url.searchParams.set('extended', '1');
    return url.toString();
  }

  /** Stop polling; a pending iteration ends. Idempotent. */
  stop(): void {
    this.stopper.abort(new AbortError('source stopped'));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private warnAboutBudget(interval: number): void {
    const { budget } = this.options;
    if (budget === 'off') return;
    const lasts = budgetLastsMs(this.tier, interval, this.cost);
    const period = CreditTiers[this.tier].periodMs;
    if (lasts < period && budget === 'warn') {
      this.logger.warn('this interval spends the credit allowance before the period ends', {
        tier: this.tier,
        creditsPerRequest: this.cost,
        allowance: CreditTiers[this.tier].credits,
        intervalMs: interval,
        lastsMinutes: Math.round(lasts / 60_000),
        hint: "use budget: 'pace' (--budget pace), a smaller bounding box, or a longer interval",
      });
    }
  }

  private currentInterval(): number {
    const base = this.options.intervalMs;
    if (this.options.budget !== 'pace') return base;
    const remainingCredits =
      this.stats.creditsRemaining ?? CreditTiers[this.tier].credits - this.stats.creditsUsed;
    return pacedIntervalMs({
      minIntervalMs: base,
      cost: this.cost,
      remainingCredits,
      remainingMs: periodRemainingMs(this.tier),
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Snapshot> {
    await loadTracing();
    this.warnAboutBudget(this.options.intervalMs);
    let due = Date.now();
    while (!this.signal.aborted) {
      if (this.options.maxSnapshots !== undefined && this.stats.snapshots >= this.options.maxSnapshots)
        return;
      const wait = due - Date.now();
      if (wait > 0) {
        if (!(await pause(wait, this.signal))) return;
      }
      const result = await this.poll();
      if (this.signal.aborted) return;
      // Fixed schedule: the next tick is one interval after this one was due; ticks missed
      // while a request overran are skipped (never two requests in flight).
      const interval = this.currentInterval();
      due += interval;
      while (due <= Date.now()) {
        due += interval;
        this.stats.missedTicks++;
      }
      if (result.kind === 'snapshot') yield result.snapshot;
    }
  }

  /** One tick's poll, in a span when a tracer is registered. */
  private async poll(): Promise<PollResult> {
    const span = startSpan('opensky poll', {
      kind: 'client',
      attributes: { 'url.full': this.url, 'opensky.credits': this.cost },
    });
    if (!span) return this.pollWithRetries();
    try {
      const result = await this.pollWithRetries();
      if (result.kind === 'snapshot') {
        result.snapshot.traceparent = span.traceparent;
        span.setAttributes({
          'opensky.states': result.snapshot.states.length,
          'opensky.time': result.snapshot.time,
        });
      }
      span.end();
      return result;
    } catch (error) {
      span.end({ error });
      throw error;
    }
  }

  private async pollWithRetries(): Promise<PollResult> {
    const { limit, baseMs, maxDelayMs } = this.options.retry;
    let refreshed = false;
    for (let attempt = 0; attempt <= limit; attempt++) {
      if (attempt > 0) {
        this.stats.retries++;
        const delay = backoffDelay(attempt, baseMs, maxDelayMs);
        if (!(await pause(delay, this.signal))) return { kind: 'skip' };
      }
      const outcome = await this.request();
      if (outcome === 'retry') continue;
      if (outcome === 'refresh') {
        if (refreshed) throw new AuthError('OpenSky rejected a freshly issued token (HTTP 401)');
        refreshed = true;
        this.tokens?.invalidate();
        attempt--;
        continue;
      }
      return outcome;
    }
    this.stats.failures++;
    // Offline, the one message said it all: the failures of each tick go to debug.
    if (this.offline) this.logger.debug('poll failed after retries', { retries: limit });
    else this.logger.warn('poll failed after retries; trying again at the next tick', { retries: limit });
    return { kind: 'skip' };
  }

  /**
   * When `error` is a DNS failure: say once that there is no network and what works offline
   * (later ones go to debug), and return true. Otherwise false: the caller warns as usual.
   */
  private noticeOffline(error: unknown, url: string): boolean {
    const code = dnsFailureCode(error);
    if (code === undefined) return false;
    if (this.offline) this.logger.debug('request failed', { error: code });
    else this.logger.warn(offlineMessage(url, code));
    this.offline = true;
    return true;
  }

  private async request(): Promise<PollResult | 'retry' | 'refresh'> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.tokens) {
      let token: string;
      try {
        token = await this.tokens.get(this.signal);
      } catch (error) {
        if (this.signal.aborted) return { kind: 'skip' };
        // A token-endpoint blip (5xx, timeout, network) is retried like a data request;
        // rejected credentials (400/401 invalid_client) are not: they end the source.
        if (!(isOpenSkyStreamError(error) && error.retryable)) throw error;
        if (!this.noticeOffline(error, this.options.credentials?.tokenUrl ?? OPENSKY_TOKEN_URL))
          this.logger.warn('token request failed', { error: error.message });
        return 'retry';
      }
      headers.authorization = `Bearer ${token}`;
    }
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    let response: Response;
    this.stats.requests++;
    try {
      response = await (this.options.fetch ?? (crossFetch as typeof fetch))(this.url, {
        headers,
        redirect: 'follow',
        signal: AbortSignal.any([this.signal, timeout]),
      });
    } catch (error) {
      if (this.signal.aborted) return { kind: 'skip' };
      if (!this.noticeOffline(error, this.url))
        this.logger.warn('request failed', { error: timeout.aborted ? 'timeout' : (error as Error).message });
      return 'retry';
    }
    this.offline = false;
    this.stats.lastLatencyMs = performance.now() - started;
    const remaining = Number(response.headers.get('x-rate-limit-remaining'));
    if (response.headers.has('x-rate-limit-remaining') && Number.isFinite(remaining))
      this.stats.creditsRemaining = remaining;

    if (response.status === 429) {
      this.stats.rateLimited++;
      const after = Number(response.headers.get('x-rate-limit-retry-after-seconds'));
      const waitMs = Number.isFinite(after) && after > 0 ? after * 1000 : this.options.intervalMs;
      this.logger.warn('rate limited by OpenSky (HTTP 429); waiting', { seconds: Math.round(waitMs / 1000) });
      await response.text().catch(() => undefined); // drain, so the connection is reused
      await sleep(waitMs, this.signal).catch(() => undefined);
      return { kind: 'skip' };
    }
    if (response.status === 401 && this.tokens) return 'refresh';
    if (response.status === 401 || response.status === 403) {
      throw new AuthError(`OpenSky refused the request (HTTP ${response.status})`, {
        details: { url: this.url },
      });
    }
    if (response.status >= 500 || response.status === 408) {
      this.logger.warn('OpenSky server error', { status: response.status });
      await response.text().catch(() => undefined); // drain, so the connection is reused
      return 'retry';
    }
    if (!response.ok) {
      throw new OpenSkyHttpError(`OpenSky answered HTTP ${response.status} for ${this.url}`, response.status);
    }
    this.stats.creditsUsed += this.cost;
    let read: BodyText;
    try {
      read = await readBodyText(response, this.options.maxResponseBytes);
    } catch (error) {
      // The transfer broke off (a connection cut mid-body, the timeout): a network error.
      if (this.signal.aborted) return { kind: 'skip' };
      this.logger.warn('response cut short', {
        error: timeout.aborted ? 'timeout' : (error as Error).message,
      });
      return 'retry';
    }
    if (!read.ok) {
      this.stats.oversized++;
      this.logger.warn('skipped a response larger than maxResponseBytes', {
        bytes: read.bytes,
        maxResponseBytes: this.options.maxResponseBytes,
      });
      return { kind: 'skip' };
    }
    let body: unknown;
    try {
      body = JSON.parse(read.text);
    } catch (error) {
      this.stats.malformed++;
      this.logger.warn('skipped a response that is not JSON', { error: (error as Error).message });
      return { kind: 'skip' };
    }
    try {
      const parsedStates = boundFields(parseStatesResponse(body), this.options.maxFieldLength);
      const { response: parsed, skipped } = parsedStates;
      this.stats.skippedRows += skipped.length;
      if (skipped.length)
        this.logger.warn('skipped malformed state vectors', {
          count: skipped.length,
          first: skipped[0]?.reason,
        });
      const aheadMs = parsed.time * 1000 - Date.now();
      if (aheadMs > this.options.futureToleranceMs) {
        // Taken as the newest, it would make every later snapshot look unchanged (and the
        // source look healthy while it yields nothing): skipped, and not a success.
        this.stats.futureTime++;
        this.logger.warn("skipped a response whose time lies ahead of this machine's clock", {
          time: parsed.time,
          aheadSeconds: Math.round(aheadMs / 1000),
          hint: 'check the clock (NTP) if every response is skipped',
        });
        return { kind: 'skip' };
      }
      this.stats.lastSuccessAt = Date.now();
      if (parsed.time <= this.lastTime) {
        this.stats.unchanged++;
        return { kind: 'skip' };
      }
      this.lastTime = parsed.time;
      this.stats.snapshots++;
      this.stats.lastStates = parsed.states.length;
      return { kind: 'snapshot', snapshot: snapshotOf(parsedStates) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.stats.malformed++;
      this.logger.warn('skipped a response that does not match the schema', { reason: error.reason });
      return { kind: 'skip' };
    }
  }
}
