import type { CommandModule } from 'yargs';
import type { LogLevel } from '../../logger.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import type { CommandFactory } from '../command.ts';
import { kafkaFromArgv } from '../config.ts';
import { metricsOptions, serveMetricsFromArgv } from '../metrics.ts';
import { envOption, kafkaOptions, logOptions, parseDuration, parseSize, sourceOptions } from '../options.ts';
import { cliLogger, ExitCode, rateMeter, shutdownSignal, startProgress } from '../runtime.ts';
import { resolveSource } from '../sources.ts';

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
        '$0 produce --source readsb --readsb-url http://raspberrypi.local/tar1090/data/aircraft.json --interval 1s',
        'your own receiver, every second',
      )
      .example(
        '$0 produce --source adsb.fi --bbox 45.8,5.9,47.8,10.5',
        'Switzerland from adsb.fi (non-commercial)',
      )
      .example('$0 produce --metrics-port 9464', 'with Prometheus metrics on http://127.0.0.1:9464/metrics'),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'produce');
    const { signal, dispose } = shutdownSignal(logger);
    const duration = parseDuration(argv.duration as string, 'duration');
    const maxBufferBytes = parseSize(argv['buffer-size'] as string, 'buffer-size');
    const closeTimeoutMs = parseDuration(argv['flush-timeout'] as string, 'flush-timeout');
    const timer = duration ? setTimeout(() => pipelineStop(), duration) : undefined;
    const { source, live, network, name, describe } = resolveSource(argv, env, logger, signal);
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
    const intervalMs = parseDuration(argv.interval as string, 'interval') ?? 3000;
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
    logger.info('producing', { from: describe, topic: argv.topic, brokers: argv.brokers });
    const rate = rateMeter();
    const progress = startProgress(
      () => ({
        snapshots: pipeline.stats.snapshots,
        messages: pipeline.stats.sink?.messages ?? 0,
        'msg/s': rate(pipeline.stats.sink?.messages ?? 0),
        errors: (pipeline.stats.sink?.errors ?? 0) + (live?.stats.failures ?? network?.stats.failures ?? 0),
        buffered: pipeline.stats.sink?.bufferedSnapshots ?? 0,
        dropped: pipeline.stats.sink?.droppedSnapshots ?? 0,
        retries: pipeline.stats.sink?.sendRetries ?? 0,
        ...(live ? { credits: live.stats.creditsRemaining ?? `~${live.stats.creditsUsed} used` } : {}),
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
        source: live?.stats ?? network?.stats,
      });
    }
  },
});
