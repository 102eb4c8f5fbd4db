/**
 * Where a command's snapshots come from: the live OpenSky API, a local readsb
 * receiver, a community ADS-B network, a recording, or generated traffic.
 */

import { ADSB_PROVIDERS, type AdsbProviderName } from '../adsb/providers.ts';
import { AdsbApiSource } from '../adsb/source.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { replaySnapshots } from '../opensky/replay.ts';
import { OpenSkySource } from '../opensky/source.ts';
import type { SnapshotSource } from '../pipeline/create-pipeline.ts';
import { ReadsbSource } from '../readsb/source.ts';
import { syntheticSnapshots } from '../synthetic/generator.ts';
import { type Argv, parseBbox, sourceFromArgv } from './config.ts';
import { parseDuration } from './options.ts';

/** The values of `--source`. */
export const SOURCE_NAMES = ['opensky', 'readsb', ...Object.keys(ADSB_PROVIDERS)] as const;

export interface ResolvedSource {
  source: SnapshotSource;
  /** Present for the live OpenSky API: its counters. */
  live?: OpenSkySource;
  /** Present for a readsb receiver or an ADS-B network: its counters. */
  network?: ReadsbSource | AdsbApiSource;
  /**
   * The `source` header of the Kafka records: the receiver's or network's name.
   * Unset for OpenSky, recordings and generated traffic (the sink's default).
   */
  name?: string;
  describe: string;
}

const str = (argv: Argv, key: string): string | undefined => {
  const value = argv[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
};

export function resolveSource(
  argv: Argv,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
  const chosen = str(argv, 'source') ?? 'opensky';
  const offline = (typeof argv.replay === 'string' && argv.replay) || typeof argv.synthetic === 'number';
  if (chosen !== 'opensky' && offline)
    throw new ConfigError('--source', `${chosen} cannot be combined with --replay or --synthetic`);
  if (chosen === 'readsb') return readsbSource(argv, logger, signal);
  if (Object.hasOwn(ADSB_PROVIDERS, chosen))
    return networkSource(chosen as AdsbProviderName, argv, env, logger, signal);
  if (chosen !== 'opensky') throw new ConfigError('--source', `must be one of ${SOURCE_NAMES.join(', ')}`);
  const options = sourceFromArgv(argv, env);
  const maxSnapshots = options.maxSnapshots;
  if (typeof argv.replay === 'string' && argv.replay) {
    const replay = replaySnapshots(argv.replay, { intervalMs: options.intervalMs, signal, logger });
    return { source: limit(replay, maxSnapshots), describe: `replay of ${argv.replay}` };
  }
  if (typeof argv.synthetic === 'number') {
    const synthetic = syntheticSnapshots({
      aircraft: argv.synthetic,
      intervalMs: options.intervalMs,
      maxSnapshots,
      signal,
      seed: Date.now() % 100_000,
    });
    return { source: synthetic, describe: `synthetic traffic, ${argv.synthetic} aircraft` };
  }
  const live = new OpenSkySource({ ...options, signal, logger });
  return { source: live, live, describe: live.url };
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

function readsbSource(argv: Argv, logger: Logger, signal: AbortSignal): ResolvedSource {
  const url = str(argv, 'readsb-url');
  if (!url)
    throw new ConfigError(
      '--readsb-url',
      'is required with --source readsb: http://host/data/aircraft.json or a path such as /run/readsb/aircraft.json',
    );
  const network = new ReadsbSource({ url, ...commonOptions(argv), signal, logger });
  return { source: network, network, name: network.name, describe: `readsb receiver at ${url}` };
}

function networkSource(
  provider: AdsbProviderName,
  argv: Argv,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
  const bbox = parseBbox(str(argv, 'bbox'));
  if (!bbox)
    throw new ConfigError(
      '--bbox',
      `is required with --source ${provider}: its API answers radius queries of up to 250 nm, not the whole world`,
    );
  const keyEnv: string | undefined = ADSB_PROVIDERS[provider].keyEnv;
  const apiKey = keyEnv ? env[keyEnv] : undefined;
  if (keyEnv && !apiKey)
    throw new ConfigError('--source', `${provider} needs an API key in the environment variable ${keyEnv}`);
  const network = new AdsbApiSource({
    provider,
    bbox,
    ...(apiKey ? { apiKey } : {}),
    ...commonOptions(argv),
    signal,
    logger,
  });
  return {
    source: network,
    network,
    name: network.name,
    describe: `${provider}, ${network.circles.length} radius queries over ${str(argv, 'bbox')}`,
  };
}

async function* limit<T>(source: AsyncIterable<T>, max: number | undefined): AsyncGenerator<T> {
  let n = 0;
  for await (const item of source) {
    if (max !== undefined && n++ >= max) return;
    yield item;
  }
}
