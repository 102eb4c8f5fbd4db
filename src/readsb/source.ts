/**
 * ReadsbSource: polls a local receiver's `aircraft.json` (readsb, dump1090-fa,
 * tar1090) and yields snapshots of OpenSky state vectors.
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { ValidationError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { parseReadsbBody } from './body.ts';
import { type Fetched, type FetchJsonOptions, fetchJson, isHttpLocation, readJsonFile } from './fetch.ts';
import {
  type ReadsbSourceOptions,
  type ResolvedReadsbSourceOptions,
  resolveReadsbSourceOptions,
} from './options.ts';
import { fixedSchedule } from './schedule.ts';
import { countParsed, type ReadsbSourceStats, readsbSourceStats } from './stats.ts';

/**
 * An async-iterable poller of a receiver's `aircraft.json`. Each snapshot holds
 * the receiver's aircraft as OpenSky state vectors (18 fields, `category`
 * included, `origin_country` from the ICAO address); its `time` is the file's
 * `now`, and a poll that finds the same `now` again yields nothing. Malformed
 * bodies and rows are counted and skipped, never thrown.
 *
 * @example
 * ```ts
 * const source = new ReadsbSource({ url: 'http://raspberrypi.local/tar1090/data/aircraft.json' });
 * for await (const snapshot of source) console.log(snapshot.time, snapshot.states.length);
 * ```
 */
export class ReadsbSource implements AsyncIterable<Snapshot> {
  readonly stats: ReadsbSourceStats = readsbSourceStats();
  /** The source's name (the `source` header of the records `produce` writes). */
  readonly name: string;
  private readonly options: ResolvedReadsbSourceOptions;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private lastNow = -1;

  constructor(options: ReadsbSourceOptions) {
    this.options = resolveReadsbSourceOptions(options);
    this.name = this.options.name;
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.stopper.signal])
      : this.stopper.signal;
  }

  /** Where aircraft.json is read from. */
  get url(): string {
    return this.options.url;
  }

  /** Stop polling; a pending iteration ends. Idempotent. */
  stop(): void {
    this.stopper.abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Snapshot> {
    const { maxSnapshots, intervalMs } = this.options;
    for await (const _ of fixedSchedule(intervalMs, this.signal, () => this.stats.missedTicks++)) {
      if (maxSnapshots !== undefined && this.stats.snapshots >= maxSnapshots) return;
      const snapshot = this.toSnapshot(await this.read());
      if (this.signal.aborted) return;
      if (snapshot) yield snapshot;
      if (maxSnapshots !== undefined && this.stats.snapshots >= maxSnapshots) return;
    }
  }

  private read(): Promise<Fetched> {
    const fetchOptions: FetchJsonOptions = {
      retry: this.options.retry,
      timeoutMs: this.options.requestTimeoutMs,
      signal: this.signal,
      logger: this.logger,
      stats: this.stats,
      rateLimitWaitMs: this.options.intervalMs,
      label: this.name,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    };
    const { url } = this.options;
    if (isHttpLocation(url)) return fetchJson(url, fetchOptions);
    return readJsonFile(url.startsWith('file:') ? new URL(url) : pathToFileURL(url), fetchOptions);
  }

  private toSnapshot(fetched: Fetched): Snapshot | undefined {
    if (fetched.kind === 'skip') return undefined;
    let parsed: ReturnType<typeof parseReadsbBody>;
    try {
      parsed = parseReadsbBody(fetched.body, { keepNonIcao: this.options.keepNonIcao });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.stats.malformed++;
      this.logger.warn('skipped a response that is not readsb JSON', {
        from: this.name,
        reason: error.reason,
      });
      return undefined;
    }
    countParsed(this.stats, parsed, this.logger, this.name);
    if (parsed.now <= this.lastNow) {
      this.stats.unchanged++;
      return undefined;
    }
    this.lastNow = parsed.now;
    this.stats.snapshots++;
    this.stats.lastStates = parsed.states.length;
    return {
      time: Math.floor(parsed.now),
      states: parsed.states,
      fetchedAt: Date.now(),
      skippedRows: parsed.skipped.length,
    };
  }
}
