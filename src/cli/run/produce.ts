/** `opensky-stream produce`, run: poll a source and produce to Kafka (flags: src/cli/commands/produce.ts). */
import { setFlagsFromString } from 'node:v8';
import type { Snapshot } from '../../opensky/source.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import { StandbySource } from '../../sources/standby.ts';
import type { CommandRun } from '../command.ts';
import type { produceFlags } from '../commands/produce.ts';
import { kafkaConnection } from '../config.ts';
import { runService } from '../lifecycle.ts';
import { ExitCode, rateMeter } from '../runtime.ts';
import { type ResolvedSource, resolveSource } from '../sources.ts';

/**
 * The old generation's growth for `produce`: up to 2× its live size. The bin's
 * `--heap-growing-percent=50` keeps the bridge's peak RSS under 150 MiB; `produce` holds one
 * snapshot at a time and stays well under it with the default growth, and its major GCs (about 70
 * a minute at 50 %) halve. `npm run bench -- e2e`: produce's CPU 21–23 → 16–17 µs a notification,
 * peak RSS 117–124 → 130–132 MiB. A GC setting V8 reads at each collection, so setting it once
 * running is safe.
 */
const PRODUCE_HEAP_GROWING_PERCENT = 100;

export const runProduce: CommandRun<typeof produceFlags> = (o, { env }) => {
  setFlagsFromString(`--heap-growing-percent=${PRODUCE_HEAP_GROWING_PERCENT}`);
  return runService(
    { name: 'produce', logLevel: o.logLevel, metrics: o.metrics, durationMs: o.durationMs },
    ({ logger, signal }) => {
      const kafka = kafkaConnection(o.kafka, env);
      const standbyGroup = o.standby.group;
      const ha = o.standby.enabled || standbyGroup !== undefined;
      // With --ha the source is opened anew each time this producer is elected: `current` is the latest.
      let current: ResolvedSource = resolveSource(o.source, env, logger, signal);
      const { name, describe } = current;
      const standby = ha
        ? new StandbySource({
            ...kafka,
            topic: o.kafka.topic,
            ...(standbyGroup ? { group: standbyGroup } : {}),
            // The group's session follows the polling interval: a standby takes over within two.
            intervalMs: o.source.intervalMs,
            open: (tenure) => {
              current = resolveSource(o.source, env, logger, tenure);
              return current.source as AsyncIterable<Snapshot>;
            },
            signal,
            logger,
          })
        : undefined;
      const pipeline = createPipeline({
        mode: 'produce',
        source: standby ?? current.source,
        sink: {
          ...kafka,
          topic: o.kafka.topic,
          client: o.kafka.client,
          compression: o.sink.compression,
          maxBufferBytes: o.sink.maxBufferBytes,
          closeTimeoutMs: o.sink.closeTimeoutMs,
          // The header `source` names where the records came from (readsb, adsb.fi…).
          ...(name ? { source: name } : {}),
        },
        ensureTopic: { partitions: o.topic.partitions },
        traceContext: o.trace.context,
        logger,
        signal,
      });
      const rate = rateMeter();
      return {
        pipelines: [pipeline],
        // Ready while answers keep coming: stale after three intervals, and never under a minute.
        staleAfterMs: Math.max(60_000, 3 * o.source.intervalMs),
        async onMetrics(served) {
          if (!current.failover && !standby) return;
          const { registerSourceMetrics } = await import('../../sources/metrics.ts');
          registerSourceMetrics(served.metrics.registry, {
            ...(current.failover ? { failover: () => current.failover?.stats } : {}),
            ...(standby ? { standby: () => standby.stats } : {}),
          });
        },
        progress: () => ({
          snapshots: pipeline.stats.snapshots,
          messages: pipeline.stats.sink?.messages ?? 0,
          'msg/s': rate(pipeline.stats.sink?.messages ?? 0),
          errors:
            (pipeline.stats.sink?.errors ?? 0) +
            (current.live?.stats.failures ?? current.network?.stats.failures ?? 0),
          ...(current.failover
            ? { source: current.active(), switches: current.failover.stats.switches }
            : {}),
          ...(standby ? { role: standby.stats.role } : {}),
          buffered: pipeline.stats.sink?.bufferedSnapshots ?? 0,
          dropped: pipeline.stats.sink?.droppedSnapshots ?? 0,
          retries: pipeline.stats.sink?.sendRetries ?? 0,
          ...(current.live
            ? { credits: current.live.stats.creditsRemaining ?? `~${current.live.stats.creditsUsed} used` }
            : {}),
        }),
        async run() {
          logger.info('producing', {
            from: describe,
            topic: o.kafka.topic,
            brokers: o.kafka.brokers.join(','),
            ...(standby ? { standbyGroup: standby.group } : {}),
          });
          await pipeline.run();
          const sink = pipeline.stats.sink;
          // Snapshots dropped during an outage or left unsent at stop: counted and reported, exit 3.
          const lost = (sink?.droppedSnapshots ?? 0) + (sink?.unsentSnapshots ?? 0);
          return lost > 0 ? ExitCode.PARTIAL : ExitCode.OK;
        },
        stop: () => void pipeline.stop(),
        done: () => {
          const sink = pipeline.stats.sink;
          return {
            snapshots: pipeline.stats.snapshots,
            messages: sink?.messages ?? 0,
            sendRetries: sink?.sendRetries ?? 0,
            droppedSnapshots: sink?.droppedSnapshots ?? 0,
            unsentSnapshots: sink?.unsentSnapshots ?? 0,
            source: current.failover?.stats ?? current.live?.stats ?? current.network?.stats,
            ...(standby ? { standby: standby.stats } : {}),
          };
        },
      };
    },
  );
};
