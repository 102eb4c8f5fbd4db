/**
 * Where a command's snapshots come from: the live API, a recording, or generated traffic.
 */

import type { Logger } from '../logger.ts';
import { replaySnapshots } from '../opensky/replay.ts';
import { OpenSkySource } from '../opensky/source.ts';
import type { SnapshotSource } from '../pipeline/create-pipeline.ts';
import { syntheticSnapshots } from '../synthetic/generator.ts';
import { type Argv, sourceFromArgv } from './config.ts';

export interface ResolvedSource {
  source: SnapshotSource;
  /** Present for the live API: its counters. */
  live?: OpenSkySource;
  describe: string;
}

export function resolveSource(
  argv: Argv,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
): ResolvedSource {
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

async function* limit<T>(source: AsyncIterable<T>, max: number | undefined): AsyncGenerator<T> {
  let n = 0;
  for await (const item of source) {
    if (max !== undefined && n++ >= max) return;
    yield item;
  }
}
