import type { CommandModule } from 'yargs';
import type { LogLevel } from '../../logger.ts';
import type { Snapshot } from '../../opensky/source.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import { StandbySource } from '../../sources/standby.ts';
import type { CommandFactory } from '../command.ts';
import { kafkaFromArgv } from '../config.ts';
import { metricsOptions, serveMetricsFromArgv } from '../metrics.ts';
import { envOption, kafkaOptions, logOptions, parseDuration, parseSize, sourceOptions } from '../options.ts';
import { cliLogger, ExitCode, rateMeter, shutdownSignal, startProgress } from '../runtime.ts';
import { type ResolvedSource, resolveSource } from '../sources.ts';

export const produceCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'produce',
  describe:
    'Poll OpenSky (or a readsb receiver, an ADS-B network, a recording) and produce state vectors to Kafka',
  builder: (y) =>
    y
      .options({ ...sourceOptions(env), ...kafkaOptions(env), ...metricsOptions(env), ...logOptions(env) })
      .option('partitions', {
        type: 'number',
        default: 3,
        describe: 'Partitions when the topic is created',
        group: 'Kafka:',
      })
      .option('compression', {
        type: 'string',
        choices: ['gzip', 'none'],
        default: 'gzip',
        describe: 'Message compression',
        group: 'Kafka:',
      })
      .options({
        'buffer-size': envOption(env, 'PRODUCE_BUFFER_SIZE', {
          type: 'string',
          describe:
            'Snapshots kept in memory while Kafka is unreachable (64MiB, 512MiB); when full, the oldest is dropped',
          default: '64MiB',
          group: 'Kafka:',
        }),
        ha: envOption(env, 'PRODUCE_HA', {
          type: 'boolean',
          describe:
            'Standby mode: run this on several hosts; they elect one poller through a Kafka consumer group (control topic <topic>-producers), and a standby takes over when it dies',
          default: false,
          group: 'Standby:',
        }),
        'standby-group': envOption(env, 'PRODUCE_STANDBY_GROUP', {
          type: 'string',
          describe:
            'With --ha: the group and control topic of the feed (implies --ha) [default: <topic>-producers]',
          group: 'Standby:',
        }),
        'flush-timeout': envOption(env, 'PRODUCE_FLUSH_TIMEOUT', {
          type: 'string',
          describe: 'On stop, how long to keep trying to send what is buffered',
          default: '15s',
          group: 'Kafka:',
        }),
      })
      .example('$0 produce', 'every 3 s, the whole world, anonymous, to aviation-data on 127.0.0.1:9092')
      .example('$0 produce --bbox 45.8,5.9,47.8,10.5 --interval 10s', 'Switzerland only (1 credit per call)')
      .example('$0 produce --replay flights.ndjson --interval 1s', 'replay a recording made with `record`')
      .example(
        '$0 produce --source readsb --source-url http://raspberrypi.local/tar1090/data/aircraft.json --interval 1s',
        'your own receiver, every second',
      )
      .example(
        '$0 produce --source adsbfi --bbox 45.8,5.9,47.8,10.5',
        'Switzerland from adsb.fi (non-commercial)',
      )
      .example('$0 produce --source adsblol --point 47.45,8.56,60', '60 nm around Zürich airport, one query')
      .example(
        '$0 produce --source opensky,adsblol --bbox 45.8,5.9,47.8,10.5 --interval 10s',
        'OpenSky, adsb.lol when OpenSky is exhausted or blocked, back when it recovers',
      )
      .example('$0 produce --ha --interval 10s', 'on two hosts: one polls, the other takes over if it dies')
      .example('$0 produce --metrics-port 9464', 'with Prometheus metrics on http://127.0.0.1:9464/metrics'),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'produce');
    const { signal, dispose } = shutdownSignal(logger);
    const duration = parseDuration(argv.duration as string, 'duration');
    const maxBufferBytes = parseSize(argv['buffer-size'] as string, 'buffer-size');
    const closeTimeoutMs = parseDuration(argv['flush-timeout'] as string, 'flush-timeout');
    const timer = duration ? setTimeout(() => pipelineStop(), duration) : undefined;
    const intervalMs = parseDuration(argv.interval as string, 'interval') ?? 3000;
    const standbyGroup = argv['standby-group'] ? String(argv['standby-group']) : undefined;
    const ha = Boolean(argv.ha) || standbyGroup !== undefined;
    // With --ha the source is opened anew each time this producer is elected: `current` is the latest.
    let current: ResolvedSource = resolveSource(argv, env, logger, signal);
    const { name, describe } = current;
    const standby = ha
      ? new StandbySource({
          ...kafkaFromArgv(argv, env),
          topic: String(argv.topic),
          ...(standbyGroup ? { group: standbyGroup } : {}),
          // The group's session follows the polling interval: a standby takes over within two.
          intervalMs,
          open: (tenure) => {
            current = resolveSource(argv, env, logger, tenure);
            return current.source as AsyncIterable<Snapshot>;
          },
          signal,
          logger,
        })
      : undefined;
    const source = standby ?? current.source;
    const pipeline = createPipeline({
      mode: 'produce',
      source,
      sink: {
        ...kafkaFromArgv(argv, env),
        topic: String(argv.topic),
        compression: argv.compression as 'gzip',
        maxBufferBytes,
        closeTimeoutMs,
        // The header `source` names where the records came from (readsb, adsb.fi…).
        ...(name ? { source: name } : {}),
      },
      ensureTopic: { partitions: Number(argv.partitions) },
      logger,
      signal,
    });
    function pipelineStop() {
      void pipeline.stop();
    }
    // Ready while answers keep coming: stale after three intervals, and never under a minute.
    let served: Awaited<ReturnType<typeof serveMetricsFromArgv>>;
    try {
      served = await serveMetricsFromArgv(argv, [pipeline], logger, {
        staleAfterMs: Math.max(60_000, 3 * intervalMs),
      });
    } catch (error) {
      clearTimeout(timer);
      dispose();
      throw error;
    }
    if (served && (current.failover || standby)) {
      const { registerSourceMetrics } = await import('../../sources/metrics.ts');
      registerSourceMetrics(served.metrics.registry, {
        ...(current.failover ? { failover: () => current.failover?.stats } : {}),
        ...(standby ? { standby: () => standby.stats } : {}),
      });
    }
    logger.info('producing', {
      from: describe,
      topic: argv.topic,
      brokers: argv.brokers,
      ...(standby ? { standbyGroup: standby.group } : {}),
    });
    const rate = rateMeter();
    const progress = startProgress(
      () => ({
        snapshots: pipeline.stats.snapshots,
        messages: pipeline.stats.sink?.messages ?? 0,
        'msg/s': rate(pipeline.stats.sink?.messages ?? 0),
        errors:
          (pipeline.stats.sink?.errors ?? 0) +
          (current.live?.stats.failures ?? current.network?.stats.failures ?? 0),
        ...(current.failover ? { source: current.active(), switches: current.failover.stats.switches } : {}),
        ...(standby ? { role: standby.stats.role } : {}),
        buffered: pipeline.stats.sink?.bufferedSnapshots ?? 0,
        dropped: pipeline.stats.sink?.droppedSnapshots ?? 0,
        retries: pipeline.stats.sink?.sendRetries ?? 0,
        ...(current.live
          ? { credits: current.live.stats.creditsRemaining ?? `~${current.live.stats.creditsUsed} used` }
          : {}),
      }),
      { logger },
    );
    try {
      await pipeline.run();
      const sink = pipeline.stats.sink;
      // Snapshots dropped during an outage or left unsent at stop: counted and reported, exit 3.
      const lost = (sink?.droppedSnapshots ?? 0) + (sink?.unsentSnapshots ?? 0);
      exit.code = lost > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    } finally {
      progress.stop();
      clearTimeout(timer);
      dispose();
      await served?.close();
      const sink = pipeline.stats.sink;
      logger.info('done', {
        snapshots: pipeline.stats.snapshots,
        messages: sink?.messages ?? 0,
        sendRetries: sink?.sendRetries ?? 0,
        droppedSnapshots: sink?.droppedSnapshots ?? 0,
        unsentSnapshots: sink?.unsentSnapshots ?? 0,
        source: current.failover?.stats ?? current.live?.stats ?? current.network?.stats,
        ...(standby ? { standby: standby.stats } : {}),
      });
    }
  },
});
