/**
 * AdsbApiSource: polls a community ADS-B network (adsb.lol, airplanes.live,
 * adsb.fi, ADS-B Exchange) over a bounding box and yields snapshots of
 * OpenSky state vectors.
 *
 * @module
 */
import { ValidationError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { parseReadsbBody } from '../readsb/body.ts';
import { type FetchJsonOptions, fetchJson } from '../readsb/fetch.ts';
import { fixedSchedule } from '../readsb/schedule.ts';
import { countParsed, type ReadsbSourceStats, readsbSourceStats } from '../readsb/stats.ts';
import { pause } from '../util/retry.ts';
import { mergeStates } from './merge.ts';
import {
  type AdsbApiSourceOptions,
  type ResolvedAdsbApiSourceOptions,
  resolveAdsbApiSourceOptions,
} from './options.ts';
import { type Circle, coverBoundingBox, coverPoint } from './tiling.ts';

/** Counters of an {@link AdsbApiSource}. */
export interface AdsbApiSourceStats extends ReadsbSourceStats {
  /** Copies of an aircraft answered by more than one query of a snapshot, merged away. */
  duplicates: number;
  /** Aircraft the circles returned outside the box (or without a position), left out. */
  outside: number;
  /** Snapshots built without every query's answer (a query failed after its retries). */
  partialSnapshots: number;
}

/** Coordinates in a query path: four decimals (about 11 m) is plenty for a circle of miles. */
const coordinate = (value: number): string => String(Number(value.toFixed(4)));

/**
 * An async-iterable poller of a community ADS-B network. The box is covered by
 * radius queries of at most 250 nm ({@link AdsbApiSource.circles}); each
 * snapshot is their answers merged (one vector per aircraft, the newest
 * position winning) and cut back to the box. Requests keep to the network's
 * rate (`requestSpacingMs`, 1 s by default), retries included, so a box of
 * many circles takes that many seconds per snapshot. A query that still
 * fails after its retries leaves a partial snapshot (counted); malformed
 * bodies and rows are counted and skipped, never thrown.
 *
 * Non-ICAO addresses (readsb's `~` prefix: TIS-B tracks, anonymised ADS-B)
 * are left out by default: they are not ICAO 24-bit addresses, so they have no
 * country and could collide with a real aircraft's `icao24` if the `~` were
 * dropped. `keepNonIcao` keeps them, `~` and all.
 *
 * @example
 * ```ts
 * const source = new AdsbApiSource({ provider: 'adsb.fi', bbox: { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 } });
 * for await (const snapshot of source) console.log(snapshot.time, snapshot.states.length);
 * ```
 */
export class AdsbApiSource implements AsyncIterable<Snapshot> {
  readonly stats: AdsbApiSourceStats = {
    ...readsbSourceStats(),
    duplicates: 0,
    outside: 0,
    partialSnapshots: 0,
  };
  /** The network's name (the `source` header of the records `produce` writes). */
  readonly name: string;
  /** The radius queries that cover the box, one request each per snapshot. */
  readonly circles: readonly Circle[];
  private readonly options: ResolvedAdsbApiSourceOptions;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private nextRequestAt = 0;
  private lastTime = -1;

  constructor(options: AdsbApiSourceOptions) {
    this.options = resolveAdsbApiSourceOptions(options);
    this.name = this.options.api.name;
    const { point, bbox, api } = this.options;
    this.circles = point ? coverPoint(point, api.maxRadiusNm) : coverBoundingBox(bbox!, api.maxRadiusNm);
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.stopper.signal])
      : this.stopper.signal;
  }

  /** The URL of one radius query. */
  queryUrl(circle: Circle): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    return `${base}${this.options.api.path(coordinate(circle.lat), coordinate(circle.lon), circle.radiusNm)}`;
  }

  /** Stop polling; a pending iteration ends. Idempotent. */
  stop(): void {
    this.stopper.abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Snapshot> {
    const { intervalMs, requestSpacingMs, maxSnapshots } = this.options;
    const perSnapshotMs = this.circles.length * requestSpacingMs;
    this.logger.info('polling', {
      from: this.name,
      queries: this.circles.length,
      terms: this.options.api.terms,
      ...(perSnapshotMs > intervalMs ? { note: `a snapshot takes at least ${perSnapshotMs / 1000} s` } : {}),
    });
    for await (const _ of fixedSchedule(intervalMs, this.signal, () => this.stats.missedTicks++)) {
      if (maxSnapshots !== undefined && this.stats.snapshots >= maxSnapshots) return;
      const snapshot = await this.poll();
      if (this.signal.aborted) return;
      if (snapshot) yield snapshot;
      if (maxSnapshots !== undefined && this.stats.snapshots >= maxSnapshots) return;
    }
  }

  /** Wait for the next request slot; `false` when stopped meanwhile. */
  private async nextSlot(): Promise<boolean> {
    const wait = this.nextRequestAt - Date.now();
    return wait <= 0 || pause(wait, this.signal);
  }

  /**
   * The next request may start `requestSpacingMs` after this one's answer (not its start):
   * so the server sees them at least that far apart whatever the network's delays.
   */
  private requestEnded(): void {
    this.nextRequestAt = Date.now() + this.options.requestSpacingMs;
  }

  /** One snapshot: every circle queried, the answers merged. */
  private async poll(): Promise<Snapshot | undefined> {
    const fetchOptions: FetchJsonOptions = {
      retry: this.options.retry,
      timeoutMs: this.options.requestTimeoutMs,
      signal: this.signal,
      logger: this.logger,
      stats: this.stats,
      rateLimitWaitMs: Math.max(this.options.intervalMs, this.options.requestSpacingMs),
      label: this.name,
      beforeRequest: () => this.nextSlot(),
      afterRequest: () => this.requestEnded(),
      ...(this.options.apiKey ? { headers: { 'api-auth': this.options.apiKey } } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    };
    const lists = [];
    let newest = Number.NEGATIVE_INFINITY;
    let skippedRows = 0;
    for (const circle of this.circles) {
      const fetched = await fetchJson(this.queryUrl(circle), fetchOptions);
      if (this.signal.aborted) return undefined;
      if (fetched.kind === 'skip') continue;
      try {
        const parsed = parseReadsbBody(fetched.body, { keepNonIcao: this.options.keepNonIcao });
        countParsed(this.stats, parsed, this.logger, this.name);
        skippedRows += parsed.skipped.length;
        lists.push(parsed.states);
        newest = Math.max(newest, parsed.now);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        this.stats.malformed++;
        this.logger.warn('skipped a response that is not readsb JSON', {
          from: this.name,
          reason: error.reason,
        });
      }
    }
    if (lists.length === 0) return undefined;
    if (lists.length < this.circles.length) {
      this.stats.partialSnapshots++;
      this.logger.warn('snapshot without some queries', {
        from: this.name,
        answered: lists.length,
        queries: this.circles.length,
      });
    }
    const time = Math.floor(newest);
    if (time <= this.lastTime) {
      this.stats.unchanged++;
      return undefined;
    }
    this.lastTime = time;
    const merged = mergeStates(lists, this.options.point ?? this.options.bbox!);
    this.stats.duplicates += merged.duplicates;
    this.stats.outside += merged.outside;
    this.stats.snapshots++;
    this.stats.lastStates = merged.states.length;
    return { time, states: merged.states, fetchedAt: Date.now(), skippedRows };
  }
}
