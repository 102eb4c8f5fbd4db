/**
 * Options of AdsbApiSource: the typed interface, its defaults, and validation
 * that names the offending option.
 *
 * @module
 */
import { DEFAULT_INTERVAL_MS } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { type BoundingBox, validateBoundingBox } from '../opensky/credits.ts';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetry } from '../util/retry.ts';
import { isIntegerIn } from '../util/validate.ts';
import {
  ADSB_PROVIDER_NAMES,
  ADSB_PROVIDERS,
  type AdsbProvider,
  type AdsbProviderName,
  DEFAULT_REQUEST_SPACING_MS,
} from './providers.ts';
import type { PointArea } from './tiling.ts';

/** Options of `AdsbApiSource`. */
export interface AdsbApiSourceOptions {
  /** Which network: `adsb.lol`, `airplanes.live`, `adsb.fi` or `adsbexchange`. */
  provider: AdsbProviderName;
  /**
   * The area, as a box: covered by as few radius queries (≤ 250 nm each) as fit it, and
   * the merged answer cut back to it.
   * @example { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 } // Switzerland: one query
   */
  bbox?: BoundingBox;
  /**
   * Or a radius around a point, where a box is not wanted: one query when the
   * radius is within the network's 250 nm, else the circles covering it; the
   * merged answer cut back to the radius. Give `bbox` or `point`, not both.
   * @example { lat: 47.45, lon: 8.56, radiusNm: 60 } // 60 nm around Zürich airport
   */
  point?: PointArea;
  /** API base URL (a mirror or a local test server). @default the provider's */
  baseUrl?: string;
  /**
   * API key, sent in the `api-auth` header. Required by `adsbexchange`.
   * @default env `ADSBEXCHANGE_API_KEY` (read by the CLI; the library takes it only from here)
   */
  apiKey?: string;
  /**
   * Interval between snapshots, ms. A snapshot needs one request per circle,
   * spaced by `requestSpacingMs`, so a large box takes longer than this.
   * @default 3000
   */
  intervalMs?: number;
  /**
   * Least time between two requests, ms, across snapshots. Never below the
   * network's published limit (1 s for airplanes.live and adsb.fi).
   * @default 1000
   */
  requestSpacingMs?: number;
  /** Per-request timeout, ms. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Retries of a failed query within one snapshot (5xx, 408, timeouts, network
   * errors): a count, or `{ limit, baseMs, maxDelayMs }`.
   * @default { limit: 2, baseMs: 1000, maxDelayMs: 5000 }
   */
  retry?: number | RetryOptions;
  /**
   * Keep aircraft whose `hex` starts with `~` (non-ICAO addresses), `~` included
   * in `icao24`. @default false
   */
  keepNonIcao?: boolean;
  /** Stop after this many snapshots. */
  maxSnapshots?: number;
  signal?: AbortSignal;
  /** The fetch implementation. @default cross-fetch */
  fetch?: typeof fetch;
  logger?: Logger;
}

/** Defaults of {@link AdsbApiSourceOptions}. */
export const defaultAdsbApiSourceOptions = {
  intervalMs: DEFAULT_INTERVAL_MS,
  requestSpacingMs: DEFAULT_REQUEST_SPACING_MS,
  requestTimeoutMs: 10_000,
  retry: { limit: 2, baseMs: 1000, maxDelayMs: 5000 },
  keepNonIcao: false,
} as const satisfies Partial<AdsbApiSourceOptions>;

/** Options after defaults, with the provider's description. */
export type ResolvedAdsbApiSourceOptions = Omit<AdsbApiSourceOptions, 'retry'> &
  Required<
    Pick<
      AdsbApiSourceOptions,
      'baseUrl' | 'intervalMs' | 'requestSpacingMs' | 'requestTimeoutMs' | 'keepNonIcao'
    >
  > & { retry: ResolvedRetryOptions; api: AdsbProvider };

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveAdsbApiSourceOptions(options: AdsbApiSourceOptions): ResolvedAdsbApiSourceOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const api: AdsbProvider | undefined = Object.hasOwn(ADSB_PROVIDERS, options.provider)
    ? ADSB_PROVIDERS[options.provider]
    : undefined;
  if (!api) throw new ConfigError('/options/provider', `must be one of ${ADSB_PROVIDER_NAMES.join(', ')}`);
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = {
    ...defaultAdsbApiSourceOptions,
    baseUrl: api.baseUrl,
    ...given,
  } as ResolvedAdsbApiSourceOptions;
  if (o.bbox !== undefined && o.point !== undefined)
    throw new ConfigError('/options/point', 'cannot be given with bbox: choose one area');
  if (o.point !== undefined) validatePoint(o.point);
  else if (typeof o.bbox !== 'object' || o.bbox === null)
    throw new ConfigError(
      '/options/bbox',
      'is required (or point): the APIs answer radius queries, not the whole world',
    );
  else validateBoundingBox(o.bbox);
  if (typeof o.baseUrl !== 'string' || !/^https?:\/\//i.test(o.baseUrl) || !URL.canParse(o.baseUrl))
    throw new ConfigError('/options/baseUrl', `must be an http(s) URL, got '${String(o.baseUrl)}'`);
  if (o.apiKey !== undefined && (typeof o.apiKey !== 'string' || o.apiKey === ''))
    throw new ConfigError('/options/apiKey', 'must be a non-empty string');
  if (api.keyEnv && o.apiKey === undefined)
    throw new ConfigError(
      '/options/apiKey',
      `is required by ${api.name} (the CLI reads it from ${api.keyEnv})`,
    );
  if (!isIntegerIn(o.intervalMs, 100))
    throw new ConfigError('/options/intervalMs', 'must be an integer ≥ 100');
  if (!isIntegerIn(o.requestSpacingMs, api.minRequestSpacingMs)) {
    throw new ConfigError(
      '/options/requestSpacingMs',
      `must be an integer ≥ ${api.minRequestSpacingMs} (${api.name}'s limit)`,
    );
  }
  if (!isIntegerIn(o.requestTimeoutMs, 1))
    throw new ConfigError('/options/requestTimeoutMs', 'must be an integer ≥ 1');
  if (typeof o.keepNonIcao !== 'boolean') throw new ConfigError('/options/keepNonIcao', 'must be a boolean');
  if (o.maxSnapshots !== undefined && !isIntegerIn(o.maxSnapshots, 1))
    throw new ConfigError('/options/maxSnapshots', 'must be an integer ≥ 1');
  if (o.fetch !== undefined && typeof o.fetch !== 'function')
    throw new ConfigError('/options/fetch', 'must be a function');
  const retry = resolveRetry(options.retry, defaultAdsbApiSourceOptions.retry, '/options/retry');
  return { ...o, retry, api };
}

/** Throws {@link ConfigError} naming the bad field of a point area. */
export function validatePoint(point: PointArea, path = '/options/point'): void {
  if (typeof point !== 'object' || point === null)
    throw new ConfigError(path, 'must be { lat, lon, radiusNm }');
  const { lat, lon, radiusNm } = point;
  if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90))
    throw new ConfigError(`${path}/lat`, 'must be a latitude from -90 to 90');
  if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180))
    throw new ConfigError(`${path}/lon`, 'must be a longitude from -180 to 180');
  if (typeof radiusNm !== 'number' || !(radiusNm > 0 && radiusNm <= 5400))
    throw new ConfigError(`${path}/radiusNm`, 'must be a radius above 0 and up to 5400 nm');
}
