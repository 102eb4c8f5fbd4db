/**
 * OpenSkySource: polls `/api/states/all` on a fixed schedule and yields
 * snapshots, surviving the API's usual faults.
 *
 * @module
 */
import crossFetch from 'cross-fetch';
import { type ParsedStates, parseStatesResponse } from '../domain/state-vector.ts';
import type { StateVector } from '../domain/types.ts';
import {
  AbortError,
  AuthError,
  ConfigError,
  isOpenSkyStreamError,
  OpenSkyHttpError,
  ValidationError,
} from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { loadTracing, startSpan } from '../tracing/spans.ts';
import { backoffDelay, pause, sleep } from '../util/retry.ts';
import { OPENSKY_TOKEN_URL, type OpenSkyCredentials, TokenProvider } from './auth.ts';
import {
  type BoundingBox,
  budgetLastsMs,
  type CreditTier,
  CreditTiers,
  creditCost,
  pacedIntervalMs,
  periodRemainingMs,
  validateBoundingBox,
} from './credits.ts';
import { dnsFailureCode, offlineMessage } from './offline.ts';

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

/** Options of {@link OpenSkySource}. */
export interface OpenSkySourceOptions {
  /** API base URL; point it at a mirror or a local replay server. @default 'https://opensky-network.org/api' */
  baseUrl?: string;
  /** Only aircraft inside this box (also lowers the credit cost). */
  bbox?: BoundingBox;
  /** Only these transponders (lower-case hex). */
  icao24?: string[];
  /** Ask for the 18th field, `category`. @default false */
  extended?: boolean;
  /** Polling interval. The data's resolution is 10 s anonymous, 5 s authenticated. @default 3000 */
  intervalMs?: number;
  /** Per-request timeout, of data and token requests alike. @default 15000 */
  requestTimeoutMs?: number;
  /** Retries within one tick on 5xx, timeouts and network errors (of the token request too). @default 3 */
  maxRetries?: number;
  /** First backoff delay (doubles, full jitter). @default 500 */
  retryBaseMs?: number;
  /** OAuth2 client credentials; anonymous when absent. */
  credentials?: OpenSkyCredentials;
  /** Account tier, for credit budgeting. @default 'standard' with credentials, else 'anonymous' */
  tier?: CreditTier;
  /** `warn`: warn at start when the interval would exhaust the credits early; `pace`: stretch the interval so they last the period. @default 'warn' */
  budget?: 'off' | 'warn' | 'pace';
  /** Stop after this many snapshots. */
  maxSnapshots?: number;
  signal?: AbortSignal;
  /** The fetch implementation. @default cross-fetch */
  fetch?: typeof fetch;
  logger?: Logger;
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
    lastSuccessAt: undefined,
  };
  /** Credits one request costs. */
  readonly cost: number;
  /** The account tier the credits are budgeted for. */
  readonly tier: CreditTier;
  private readonly options: OpenSkySourceOptions;
  private readonly logger: Logger;
  private readonly tokens: TokenProvider | undefined;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private lastTime = -1;
  /** The API's host did not resolve and that was said: quiet until a request goes through again. */
  private offline = false;

  constructor(options: OpenSkySourceOptions = {}) {
    const interval = options.intervalMs ?? 3000;
    if (!Number.isFinite(interval) || interval < 100)
      throw new ConfigError('/options/intervalMs', 'must be at least 100');
    if (options.bbox) validateBoundingBox(options.bbox);
    if (options.icao24?.some((id) => !/^[0-9a-f]{6}$/.test(id))) {
      throw new ConfigError('/options/icao24', 'must list 6-digit lower-case hex addresses');
    }
    try {
      new URL(options.baseUrl ?? 'https://opensky-network.org/api');
    } catch {
      throw new ConfigError('/options/baseUrl', `is not a URL: '${options.baseUrl}'`);
    }
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.cost = creditCost(options.bbox);
    this.tier = options.tier ?? (options.credentials ? 'standard' : 'anonymous');
    this.tokens = options.credentials
      ? new TokenProvider(options.credentials, {
          fetch: options.fetch,
          timeoutMs: options.requestTimeoutMs ?? 15_000,
        })
      : undefined;
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.stopper.signal])
      : this.stopper.signal;
  }

  /** The request URL, with the box, transponder filter and `extended`. */
  get url(): string {
    const base = (this.options.baseUrl ?? 'https://opensky-network.org/api').replace(/\/+$/, '');
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
    const budget = this.options.budget ?? 'warn';
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
    const base = this.options.intervalMs ?? 3000;
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
    this.warnAboutBudget(this.options.intervalMs ?? 3000);
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
    const maxRetries = this.options.maxRetries ?? 3;
    let refreshed = false;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        this.stats.retries++;
        const delay = backoffDelay(attempt, this.options.retryBaseMs ?? 500, 10_000);
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
    if (this.offline) this.logger.debug('poll failed after retries', { retries: maxRetries });
    else
      this.logger.warn('poll failed after retries; trying again at the next tick', { retries: maxRetries });
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
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000);
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
      const waitMs = Number.isFinite(after) && after > 0 ? after * 1000 : (this.options.intervalMs ?? 3000);
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
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (error) {
      if (this.signal.aborted) return { kind: 'skip' };
      this.stats.malformed++;
      this.logger.warn('skipped a response that is not JSON', { error: (error as Error).message });
      return { kind: 'skip' };
    }
    try {
      const parsedStates = parseStatesResponse(body);
      const { response: parsed, skipped } = parsedStates;
      this.stats.skippedRows += skipped.length;
      if (skipped.length)
        this.logger.warn('skipped malformed state vectors', {
          count: skipped.length,
          first: skipped[0]?.reason,
        });
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
