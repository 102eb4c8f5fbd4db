/**
 * The community ADS-B networks that answer radius queries in readsb's JSON:
 * their endpoints, their published limits and terms.
 *
 * @module
 */

/** A network's `--source` name. */
export type AdsbProviderName = 'adsb.lol' | 'airplanes.live' | 'adsb.fi' | 'adsbexchange';

/** One network's API. */
export interface AdsbProvider {
  /** The name used by `--source` and in the `source` header. */
  readonly name: string;
  /** Default base URL (override it with the `baseUrl` option, e.g. for a mirror or a test server). */
  readonly baseUrl: string;
  /** The path of a radius query around (lat, lon), radius in nautical miles. */
  path(lat: string, lon: string, radiusNm: number): string;
  /** Largest radius one query may ask for, nm. */
  readonly maxRadiusNm: number;
  /**
   * The least time between two requests, ms: the network's published rate limit
   * where it states one; the source never goes faster.
   */
  readonly minRequestSpacingMs: number;
  /** The environment variable holding the API key, for networks that need one (sent in `api-auth`). */
  readonly keyEnv?: string;
  /** Terms of use to honour, shown in logs and the README. */
  readonly terms: string;
}

/**
 * The networks, by `--source` name. Limits: airplanes.live and adsb.fi publish
 * 1 request per second; adsb.lol limits by load (no fixed figure) and ADS-B
 * Exchange by plan, so both get the same 1 request per second unless told
 * otherwise.
 */
export const ADSB_PROVIDERS: Readonly<Record<AdsbProviderName, AdsbProvider>> = {
  'adsb.lol': {
    name: 'adsb.lol',
    baseUrl: 'https://api.adsb.lol',
    path: (lat, lon, nm) => `/v2/point/${lat}/${lon}/${nm}`,
    maxRadiusNm: 250,
    minRequestSpacingMs: 250,
    terms: 'data under the Open Database License (ODbL): attribute adsb.lol',
  },
  'airplanes.live': {
    name: 'airplanes.live',
    baseUrl: 'https://api.airplanes.live',
    path: (lat, lon, nm) => `/v2/point/${lat}/${lon}/${nm}`,
    maxRadiusNm: 250,
    minRequestSpacingMs: 1000,
    terms: 'about 1 request per second; see airplanes.live terms',
  },
  'adsb.fi': {
    name: 'adsb.fi',
    baseUrl: 'https://opendata.adsb.fi',
    path: (lat, lon, nm) => `/api/v2/lat/${lat}/lon/${lon}/dist/${nm}`,
    maxRadiusNm: 250,
    minRequestSpacingMs: 1000,
    terms: 'non-commercial use only, 1 request per second; credit adsb.fi',
  },
  adsbexchange: {
    name: 'adsbexchange',
    baseUrl: 'https://adsbexchange.com',
    path: (lat, lon, nm) => `/api/aircraft/v2/lat/${lat}/lon/${lon}/dist/${nm}`,
    maxRadiusNm: 250,
    minRequestSpacingMs: 250,
    keyEnv: 'ADSBEXCHANGE_API_KEY',
    terms: 'a paid API key (header api-auth); usage per your ADS-B Exchange plan',
  },
};

/** The names, for flag choices and validation. */
export const ADSB_PROVIDER_NAMES = Object.keys(ADSB_PROVIDERS) as AdsbProviderName[];

/** Default time between two requests, ms, for every network: 1 request per second. */
export const DEFAULT_REQUEST_SPACING_MS = 1000;
