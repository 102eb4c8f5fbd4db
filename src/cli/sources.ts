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
import { loadOpenSkyCredentials } from '../opensky/auth.ts';
import { replaySnapshots } from '../opensky/replay.ts';
import { OpenSkySource, type OpenSkySourceOptions } from '../opensky/source.ts';
import type { SnapshotSource } from '../pipeline/create-pipeline.ts';
import { ReadsbSource } from '../readsb/source.ts';
import { FailoverSource } from '../sources/failover.ts';
import type { FailoverCandidate } from '../sources/failover-options.ts';
import { syntheticSnapshots } from '../synthetic/generator.ts';
import { type SourceFlags, type SourceName, sourceUrls } from './source-flags.ts';

// The parsers live with the flags (light to load); the tests and older imports find them here too.
export { parsePoint, parseSourceChain, SOURCE_NAMES, type SourceName, sourceUrls } from './source-flags.ts';

/** Each `--source` name's network (for the community APIs). */
const NETWORKS: Readonly<Record<string, AdsbProviderName>> = {
  adsblol: 'adsb.lol',
  airplaneslive: 'airplanes.live',
  adsbfi: 'adsb.fi',
  adsbx: 'adsbexchange',
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

/** The OpenSky API's options from the source flags (credentials from the file or the environment). */
export function openSkyOptions(source: SourceFlags, env: NodeJS.ProcessEnv): OpenSkySourceOptions {
  const credentials = loadOpenSkyCredentials({ file: source.credentialsFile, env });
  const options: OpenSkySourceOptions = {
    baseUrl: source.baseUrl,
    intervalMs: source.intervalMs,
    requestTimeoutMs: source.requestTimeoutMs,
    extended: source.extended,
    budget: source.budget,
  };
  if (source.bbox) options.bbox = source.bbox;
  if (source.icao24) options.icao24 = source.icao24;
  if (credentials) options.credentials = credentials;
  if (source.tier) options.tier = source.tier;
  if (source.maxSnapshots !== undefined) options.maxSnapshots = source.maxSnapshots;
  return options;
}

/** The bbox as the flag spells it, for log lines. */
const bboxText = (source: SourceFlags) =>
  source.bbox ? `${source.bbox.lamin},${source.bbox.lomin},${source.bbox.lamax},${source.bbox.lomax}` : '';

export function resolveSource(
  source: SourceFlags,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
  const { chain } = source;
  const offline = Boolean(source.replay) || source.synthetic !== undefined;
  if ((chain.length > 1 || chain[0] !== 'opensky') && offline)
    throw new ConfigError('--source', `${chain.join(',')} cannot be combined with --replay or --synthetic`);
  if (offline) return offlineSource(source, env, logger, signal);
  const { point } = source;
  if (point && source.bbox) throw new ConfigError('--point', 'cannot be given with --bbox: choose one area');
  const urls = sourceUrls(source.urls, chain);
  // A chain counts --max-snapshots itself: its sources must not end on their own.
  const perSource = chain.length === 1 ? source : { ...source, maxSnapshots: undefined };
  const candidates = chain.map((name) => candidate(name, perSource, env, logger, { point, url: urls[name] }));
  if (candidates.length === 1) {
    const only = candidates[0]!;
    const opened = only.open(signal);
    const describe = only.describe(opened);
    if (opened instanceof OpenSkySource)
      return { source: opened, live: opened, active: () => only.name, describe };
    return { source: opened, network: opened, name: opened.name, active: () => only.name, describe };
  }
  const common = commonOptions(source);
  const failover = new FailoverSource({
    candidates,
    intervalMs: common.intervalMs,
    staleAfterMs: source.staleAfterMs ?? staleAfter(candidates, common.intervalMs),
    ...(source.probeEveryMs !== undefined ? { probeEveryMs: source.probeEveryMs } : {}),
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
  source: SourceFlags,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
  const options = openSkyOptions(source, env);
  const maxSnapshots = options.maxSnapshots;
  if (source.replay) {
    const replay = replaySnapshots(source.replay, { intervalMs: source.intervalMs, signal, logger });
    return {
      source: limit(replay, maxSnapshots),
      active: () => 'replay',
      describe: `replay of ${source.replay}`,
    };
  }
  const synthetic = syntheticSnapshots({
    aircraft: source.synthetic ?? 0,
    intervalMs: source.intervalMs,
    maxSnapshots,
    signal,
    seed: Date.now() % 100_000,
  });
  return {
    source: synthetic,
    active: () => 'synthetic',
    describe: `synthetic traffic, ${source.synthetic} aircraft`,
  };
}

/** The flags every readsb source shares: interval, request timeout, snapshot limit. */
function commonOptions(source: SourceFlags) {
  return {
    intervalMs: source.intervalMs,
    requestTimeoutMs: source.requestTimeoutMs,
    ...(source.maxSnapshots !== undefined ? { maxSnapshots: source.maxSnapshots } : {}),
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
  source: SourceFlags,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  area: { point: PointArea | undefined; url: string | undefined },
): Candidate {
  const common = commonOptions(source);
  if (name === 'opensky') {
    const options = openSkyOptions(source, env);
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
  const { bbox } = source;
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
    : bboxText(source);
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
