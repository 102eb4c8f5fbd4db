/**
 * Where a command's snapshots come from: the live OpenSky API, a local readsb
 * receiver, a community ADS-B network, a failover chain of them, a recording,
 * or generated traffic.
 */

import { ADSB_PROVIDERS, type AdsbProviderName, DEFAULT_REQUEST_SPACING_MS } from '../adsb/providers.ts';
import { AdsbApiSource } from '../adsb/source.ts';
import { boxAroundPoint, type PointArea } from '../adsb/tiling.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { BoundingBox } from '../opensky/credits.ts';
import { replaySnapshots } from '../opensky/replay.ts';
import { OpenSkySource } from '../opensky/source.ts';
import type { SnapshotSource } from '../pipeline/create-pipeline.ts';
import { ReadsbSource } from '../readsb/source.ts';
import { FailoverSource } from '../sources/failover.ts';
import type { FailoverCandidate } from '../sources/failover-options.ts';
import { syntheticSnapshots } from '../synthetic/generator.ts';
import { type Argv, parseBbox, sourceFromArgv } from './config.ts';
import { parseDuration } from './options.ts';

/** The `--source` names, as issue 17 spells them, and what each stands for. */
export const SOURCE_NAMES = ['opensky', 'readsb', 'adsblol', 'airplaneslive', 'adsbfi', 'adsbx'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** Each `--source` name's network (for the community APIs), and its older dotted alias. */
const NETWORKS: Readonly<Record<string, AdsbProviderName>> = {
  adsblol: 'adsb.lol',
  airplaneslive: 'airplanes.live',
  adsbfi: 'adsb.fi',
  adsbx: 'adsbexchange',
};
const ALIASES: Readonly<Record<string, SourceName>> = {
  'adsb.lol': 'adsblol',
  'airplanes.live': 'airplaneslive',
  'adsb.fi': 'adsbfi',
  adsbexchange: 'adsbx',
};

export interface ResolvedSource {
  source: SnapshotSource;
  /** Present for the live OpenSky API alone: its counters. */
  live?: OpenSkySource;
  /** Present for a readsb receiver or an ADS-B network alone: its counters. */
  network?: ReadsbSource | AdsbApiSource;
  /** Present for a chain `--source a,b,…`: its switches and per-source counters. */
  failover?: FailoverSource;
  /**
   * The `source` header of the Kafka records: the receiver's or network's name.
   * Unset for OpenSky, recordings, generated traffic and chains (whose snapshots carry their own).
   */
  name?: string;
  /** The source being polled now (a chain's changes as it switches). */
  active(): string;
  describe: string;
}

const str = (argv: Argv, key: string): string | undefined => {
  const value = argv[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
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

/**
 * `--source-url` values (the flag may be repeated; `--readsb-url` is its alias) → a URL per
 * source. `NAME=URL` names the source; a bare URL goes to the only source of the chain,
 * or else to its readsb receiver.
 */
export function sourceUrls(raw: unknown, chain: readonly SourceName[]): Partial<Record<SourceName, string>> {
  const values = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).map(String);
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

export function resolveSource(
  argv: Argv,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
  const chain = parseSourceChain(str(argv, 'source'));
  const offline = (typeof argv.replay === 'string' && argv.replay) || typeof argv.synthetic === 'number';
  if ((chain.length > 1 || chain[0] !== 'opensky') && offline)
    throw new ConfigError('--source', `${chain.join(',')} cannot be combined with --replay or --synthetic`);
  if (offline) return offlineSource(argv, env, logger, signal);
  const point = parsePoint(str(argv, 'point'));
  if (point && str(argv, 'bbox'))
    throw new ConfigError('--point', 'cannot be given with --bbox: choose one area');
  const urls = sourceUrls(argv['source-url'] ?? argv['readsb-url'], chain);
  // A chain counts --max-snapshots itself: its sources must not end on their own.
  const perSource = chain.length === 1 ? argv : { ...argv, 'max-snapshots': undefined };
  const candidates = chain.map((name) => candidate(name, perSource, env, logger, { point, url: urls[name] }));
  if (candidates.length === 1) {
    const only = candidates[0]!;
    const opened = only.open(signal);
    const describe = only.describe(opened);
    if (opened instanceof OpenSkySource)
      return { source: opened, live: opened, active: () => only.name, describe };
    return { source: opened, network: opened, name: opened.name, active: () => only.name, describe };
  }
  const common = commonOptions(argv);
  const failover = new FailoverSource({
    candidates,
    intervalMs: common.intervalMs,
    staleAfterMs:
      parseDuration(argv['stale-after'] as string, 'stale-after') ??
      staleAfter(candidates, common.intervalMs),
    ...(argv['probe-every']
      ? { probeEveryMs: parseDuration(argv['probe-every'] as string, 'probe-every') }
      : {}),
    ...(common.maxSnapshots !== undefined ? { maxSnapshots: common.maxSnapshots } : {}),
    signal,
    logger,
  });
  return {
    source: failover,
    failover,
    active: () => failover.stats.active,
    describe: `failover chain ${chain.join(' → ')}`,
  };
}

/**
 * Several intervals, and at least three times the slowest snapshot: a network
 * source over a large box needs a request per circle, a second apart.
 */
function staleAfter(candidates: readonly Candidate[], intervalMs: number): number {
  return 3 * Math.max(intervalMs, ...candidates.map((c) => c.snapshotMs));
}

function offlineSource(
  argv: Argv,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
  const options = sourceFromArgv(argv, env);
  const maxSnapshots = options.maxSnapshots;
  if (typeof argv.replay === 'string' && argv.replay) {
    const replay = replaySnapshots(argv.replay, { intervalMs: options.intervalMs, signal, logger });
    return {
      source: limit(replay, maxSnapshots),
      active: () => 'replay',
      describe: `replay of ${argv.replay}`,
    };
  }
  const synthetic = syntheticSnapshots({
    aircraft: argv.synthetic as number,
    intervalMs: options.intervalMs,
    maxSnapshots,
    signal,
    seed: Date.now() % 100_000,
  });
  return {
    source: synthetic,
    active: () => 'synthetic',
    describe: `synthetic traffic, ${argv.synthetic} aircraft`,
  };
}

/** The flags every readsb source shares: interval, request timeout, snapshot limit. */
function commonOptions(argv: Argv) {
  const maxSnapshots = argv['max-snapshots'];
  return {
    intervalMs: parseDuration(argv.interval as string, 'interval') ?? 3000,
    requestTimeoutMs: parseDuration(argv['request-timeout'] as string, 'request-timeout') ?? 15_000,
    ...(maxSnapshots !== undefined ? { maxSnapshots: Number(maxSnapshots) } : {}),
  };
}

type Poller = OpenSkySource | ReadsbSource | AdsbApiSource;

interface Candidate extends FailoverCandidate {
  open(signal: AbortSignal): Poller;
  describe(opened: Poller): string;
  /** The least time one snapshot takes, ms (requests × spacing for a network over several circles). */
  snapshotMs: number;
}

/** One source of the chain, checked now (a bad flag fails at start, not at a switch). */
function candidate(
  name: SourceName,
  argv: Argv,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  area: { point: PointArea | undefined; url: string | undefined },
): Candidate {
  const common = commonOptions(argv);
  if (name === 'opensky') {
    const options = sourceFromArgv(argv, env);
    if (area.url) options.baseUrl = area.url;
    // OpenSky answers boxes only: a point becomes the box around its circle.
    if (area.point) options.bbox = boxAroundPoint(area.point);
    new OpenSkySource({ ...options, logger }); // validates the options now
    return {
      name,
      snapshotMs: 0,
      open: (signal) => new OpenSkySource({ ...options, signal, logger }),
      describe: (opened) => (opened as OpenSkySource).url,
    };
  }
  if (name === 'readsb') {
    const url = area.url;
    if (!url)
      throw new ConfigError(
        '--source-url',
        'is required with --source readsb (alias --readsb-url): http://host/data/aircraft.json or a path such as /run/readsb/aircraft.json',
      );
    const options = { url, ...common, logger };
    const header = new ReadsbSource(options).name;
    return {
      name,
      header,
      snapshotMs: 0,
      open: (signal) => new ReadsbSource({ ...options, signal }),
      describe: () => `readsb receiver at ${url}`,
    };
  }
  const provider = NETWORKS[name]!;
  const bboxText = str(argv, 'bbox');
  const bbox: BoundingBox | undefined = parseBbox(bboxText);
  if (!bbox && !area.point)
    throw new ConfigError(
      '--bbox',
      `is required with --source ${name} (or --point LAT,LON,RADIUS_NM): its API answers radius queries of up to 250 nm, not the whole world`,
    );
  const keyEnv: string | undefined = ADSB_PROVIDERS[provider].keyEnv;
  const apiKey = keyEnv ? env[keyEnv] : undefined;
  if (keyEnv && !apiKey)
    throw new ConfigError('--source', `${name} needs an API key in the environment variable ${keyEnv}`);
  const options = {
    provider,
    ...(area.point ? { point: area.point } : { bbox }),
    ...(area.url ? { baseUrl: area.url } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...common,
    logger,
  };
  const probe = new AdsbApiSource(options);
  const where = area.point
    ? `${area.point.radiusNm} nm around ${area.point.lat},${area.point.lon}`
    : bboxText;
  return {
    name,
    header: probe.name,
    snapshotMs: probe.circles.length * DEFAULT_REQUEST_SPACING_MS,
    open: (signal) => new AdsbApiSource({ ...options, signal }),
    describe: (opened) =>
      `${provider}, ${(opened as AdsbApiSource).circles.length} radius queries over ${where}`,
  };
}

async function* limit<T>(source: AsyncIterable<T>, max: number | undefined): AsyncGenerator<T> {
  let n = 0;
  for await (const item of source) {
    if (max !== undefined && n++ >= max) return;
    yield item;
  }
}
