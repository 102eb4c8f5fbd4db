/**
 * The flags of where snapshots come from (`produce`, `record`, `demo`) and
 * their parsers: kept apart from the sources themselves (src/cli/sources.ts)
 * so that declaring a command loads none of them.
 */

import type { PointArea } from '../adsb/tiling.ts';
import { DEFAULT_INTERVAL_MS } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { BoundingBox } from '../opensky/credits.ts';
import { type FlagValues, flags } from './flags.ts';
import { positiveDuration, splitList, wholeNumber } from './options.ts';

/** The `--source` names, as issue 17 spells them, and what each stands for. */
export const SOURCE_NAMES = ['opensky', 'readsb', 'adsblol', 'airplaneslive', 'adsbfi', 'adsbx'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** The older dotted names of the networks. */
export const ALIASES: Readonly<Record<string, SourceName>> = {
  'adsb.lol': 'adsblol',
  'airplanes.live': 'airplaneslive',
  'adsb.fi': 'adsbfi',
  adsbexchange: 'adsbx',
};

/** `--source a,b,…` → canonical names, in order; dotted aliases accepted. */
export function parseSourceChain(value: string | undefined): SourceName[] {
  const names = (value ?? 'opensky').split(',').map((part) => part.trim().toLowerCase());
  const chain = names.map((name) => {
    const canonical = ALIASES[name] ?? name;
    if (!(SOURCE_NAMES as readonly string[]).includes(canonical))
      throw new ConfigError(
        '--source',
        `must be one of ${SOURCE_NAMES.join(', ')} (or a comma-separated chain of them), got '${name}'`,
      );
    return canonical as SourceName;
  });
  const twice = chain.find((name, i) => chain.indexOf(name) !== i);
  if (twice) throw new ConfigError('--source', `names ${twice} twice`);
  return chain;
}

/** `LAT,LON,RADIUS_NM` → a point area. */
export function parsePoint(value: string | undefined): PointArea | undefined {
  if (!value) return undefined;
  const parts = value.split(',').map((part) => Number(part.trim()));
  const [lat, lon, radiusNm] = parts as [number, number, number];
  if (
    parts.length !== 3 ||
    parts.some((n) => !Number.isFinite(n)) ||
    Math.abs(lat) > 90 ||
    Math.abs(lon) > 180 ||
    radiusNm <= 0
  )
    throw new ConfigError('--point', `must be LAT,LON,RADIUS_NM, e.g. 47.45,8.56,60 (got '${value}')`);
  return { lat, lon, radiusNm };
}

/** `lamin,lomin,lamax,lomax` → a box. */
export function parseBbox(value: string | undefined): BoundingBox | undefined {
  if (!value) return undefined;
  const parts = value.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    throw new ConfigError('--bbox', `must be lamin,lomin,lamax,lomax in degrees (got '${value}')`);
  }
  const [lamin, lomin, lamax, lomax] = parts as [number, number, number, number];
  return { lamin, lomin, lamax, lomax };
}

/**
 * `--source-url` values (the flag may be repeated; `--readsb-url` is its alias) → a URL per
 * source. `NAME=URL` names the source; a bare URL goes to the only source of the chain,
 * or else to its readsb receiver.
 */
export function sourceUrls(
  raw: string | readonly string[] | undefined,
  chain: readonly SourceName[],
): Partial<Record<SourceName, string>> {
  const values = (raw === undefined || raw === '' ? [] : [raw].flat()).map(String);
  const urls: Partial<Record<SourceName, string>> = {};
  for (const value of values) {
    const named = /^([a-z.]+)=(.+)$/i.exec(value);
    const name = named ? (ALIASES[named[1]!.toLowerCase()] ?? named[1]!.toLowerCase()) : undefined;
    let target: SourceName | undefined;
    if (name && (SOURCE_NAMES as readonly string[]).includes(name)) target = name as SourceName;
    else if (chain.length === 1) target = chain[0];
    else if (chain.includes('readsb')) target = 'readsb';
    if (!target || !chain.includes(target))
      throw new ConfigError(
        '--source-url',
        `'${value}' names no source of --source ${chain.join(',')}: write NAME=URL, e.g. readsb=http://host/data/aircraft.json`,
      );
    if (urls[target]) throw new ConfigError('--source-url', `gives ${target} two URLs`);
    urls[target] = named && target === name ? named[2]! : value;
  }
  return urls;
}

export const sourceFlags = flags({
  source: {
    type: 'string',
    to: 'source.chain',
    env: 'OPENSKY_STREAM_SOURCE',
    describe:
      'Where aircraft come from: opensky, readsb, adsblol, airplaneslive, adsbfi or adsbx (adsb.lol, airplanes.live, adsb.fi, adsbexchange also work); a comma-separated list is a failover chain, most preferred first',
    default: 'opensky',
    group: 'Source:',
    parse: parseSourceChain,
  },
  'source-url': {
    type: 'string',
    to: 'source.urls',
    env: 'OPENSKY_STREAM_SOURCE_URL',
    // The variable of --readsb-url before --source-url; still works.
    legacyEnv: 'READSB_URL',
    alias: 'readsb-url',
    describe:
      "readsb: the receiver's aircraft.json (http://host/data/aircraft.json or a path); the others: a base URL (a mirror or a test server). In a chain, NAME=URL; repeat the flag for several",
    group: 'Source:',
    // Repeated, the flag is a list.
    parse: (value: string | string[]) => [value].flat(),
  },
  point: {
    type: 'string',
    to: 'source.point',
    env: 'OPENSKY_STREAM_POINT',
    describe:
      'LAT,LON,RADIUS_NM: a radius instead of --bbox (one query up to 250 nm for the ADS-B networks; OpenSky gets the box around it)',
    group: 'Source:',
    parse: parsePoint,
  },
  'stale-after': {
    type: 'string',
    to: 'source.staleAfterMs',
    env: 'OPENSKY_STREAM_STALE_AFTER',
    describe:
      'A chain leaves its source after this long without newer data (default: 3 intervals, or 3 snapshots of a network over many circles)',
    group: 'Source:',
    parse: positiveDuration,
  },
  'probe-every': {
    type: 'string',
    to: 'source.probeEveryMs',
    env: 'OPENSKY_STREAM_PROBE_EVERY',
    describe: 'On a fallback, try the more preferred sources this often (default: 20 intervals, at least 1m)',
    group: 'Source:',
    parse: positiveDuration,
  },
  'base-url': {
    type: 'string',
    to: 'source.baseUrl',
    env: 'OPENSKY_BASE_URL',
    describe: 'OpenSky API base URL (a mirror or a local replay server can stand in)',
    default: 'https://opensky-network.org/api',
    group: 'OpenSky:',
  },
  interval: {
    type: 'string',
    to: 'source.intervalMs',
    env: 'OPENSKY_INTERVAL',
    describe:
      'Polling interval (3s, 10s, 1m); the data itself changes every 10 s anonymous, 5 s authenticated',
    default: `${DEFAULT_INTERVAL_MS / 1000}s`,
    group: 'OpenSky:',
    parse: positiveDuration,
  },
  bbox: {
    type: 'string',
    to: 'source.bbox',
    env: 'OPENSKY_BBOX',
    describe:
      'Bounding box lamin,lomin,lamax,lomax (degrees); smaller boxes cost fewer credits. The ADS-B networks need it or --point',
    group: 'OpenSky:',
    parse: parseBbox,
  },
  icao24: {
    type: 'string',
    to: 'source.icao24',
    env: 'OPENSKY_ICAO24',
    describe: 'Only these transponders, comma-separated hex',
    group: 'OpenSky:',
    parse: (value: string) => splitList(value).map((id) => id.toLowerCase()),
  },
  extended: {
    type: 'boolean',
    to: 'source.extended',
    env: 'OPENSKY_EXTENDED',
    describe: 'Ask for the aircraft category (18th field)',
    default: false,
    group: 'OpenSky:',
  },
  'credentials-file': {
    type: 'string',
    to: 'source.credentialsFile',
    env: 'OPENSKY_CREDENTIALS_FILE',
    describe:
      "OpenSky's credentials.json (clientId, clientSecret); or set OPENSKY_CLIENT_ID and OPENSKY_CLIENT_SECRET. Secrets are read from files or the environment only",
    group: 'OpenSky:',
  },
  tier: {
    type: 'string',
    to: 'source.tier',
    env: 'OPENSKY_TIER',
    describe: 'Account tier for credit budgeting (default: standard with credentials, else anonymous)',
    choices: ['anonymous', 'standard', 'feeder', 'licensed'],
    group: 'OpenSky:',
  },
  budget: {
    type: 'string',
    to: 'source.budget',
    env: 'OPENSKY_BUDGET',
    describe:
      'warn: warn when the interval would use up the daily credits; pace: stretch the interval so they last',
    choices: ['off', 'warn', 'pace'],
    default: 'warn',
    group: 'OpenSky:',
  },
  'request-timeout': {
    type: 'string',
    to: 'source.requestTimeoutMs',
    env: 'OPENSKY_REQUEST_TIMEOUT',
    describe: 'Per-request timeout',
    default: '15s',
    group: 'OpenSky:',
    parse: positiveDuration,
  },
  replay: {
    type: 'string',
    to: 'source.replay',
    describe:
      'Replay recorded snapshots (an NDJSON file from `record`, a JSON body, or a folder of them) instead of polling',
    group: 'Offline:',
  },
  synthetic: {
    type: 'number',
    to: 'source.synthetic',
    describe: 'Generate realistic traffic with this many aircraft per snapshot instead of polling',
    group: 'Offline:',
    parse: wholeNumber(),
  },
  'max-snapshots': {
    type: 'number',
    to: 'source.maxSnapshots',
    describe: 'Stop after this many snapshots',
    parse: wholeNumber(),
  },
  duration: {
    type: 'string',
    to: 'durationMs',
    describe: 'Stop after this long (30s, 5m, 1h)',
    parse: positiveDuration,
  },
});

/** What the source flags give: `options.source`. */
export type SourceFlags = FlagValues<typeof sourceFlags>['source'];
