import type { CommandModule } from 'yargs';
import type { LogLevel } from '../../logger.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import { kafkaFromArgv } from '../config.ts';
import type { CommandFactory } from '../main.ts';
import { kafkaOptions, logOptions, parseDuration, sourceOptions } from '../options.ts';
import { cliLogger, ExitCode, rateMeter, shutdownSignal, startProgress } from '../runtime.ts';
import { resolveSource } from '../sources.ts';

export const produceCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'produce',
  describe: 'Poll OpenSky (or replay a recording) and produce state vectors to Kafka',
  builder: (y) =>
    y
      .options({ ...sourceOptions(env), ...kafkaOptions(env), ...logOptions(env) })
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
      .example('$0 produce', 'every 3 s, the whole world, anonymous, to aviation-data on 127.0.0.1:9092')
      .example('$0 produce --bbox 45.8,5.9,47.8,10.5 --interval 10s', 'Switzerland only (1 credit per call)')
      .example('$0 produce --replay flights.ndjson --interval 1s', 'replay a recording made with `record`'),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'produce');
    const { signal, dispose } = shutdownSignal(logger);
    const duration = parseDuration(argv.duration as string, 'duration');
    const timer = duration ? setTimeout(() => pipelineStop(), duration) : undefined;
    const { source, live, describe } = resolveSource(argv, env, logger, signal);
    const pipeline = createPipeline({
      mode: 'produce',
      source,
      sink: {
        ...kafkaFromArgv(argv, env),
        topic: String(argv.topic),
        compression: argv.compression as 'gzip',
      },
      ensureTopic: { partitions: Number(argv.partitions) },
      logger,
      signal,
    });
    function pipelineStop() {
      void pipeline.stop();
    }
    logger.info('producing', { from: describe, topic: argv.topic, brokers: argv.brokers });
    const rate = rateMeter();
    const progress = startProgress(
      () => ({
        snapshots: pipeline.stats.snapshots,
        messages: pipeline.stats.sink?.messages ?? 0,
        'msg/s': rate(pipeline.stats.sink?.messages ?? 0),
        errors: (pipeline.stats.sink?.errors ?? 0) + (live?.stats.failures ?? 0),
        ...(live ? { credits: live.stats.creditsRemaining ?? `~${live.stats.creditsUsed} used` } : {}),
      }),
      { logger },
    );
    try {
      await pipeline.run();
      exit.code = ExitCode.OK;
    } finally {
      progress.stop();
      clearTimeout(timer);
      dispose();
      logger.info('done', {
        snapshots: pipeline.stats.snapshots,
        messages: pipeline.stats.sink?.messages ?? 0,
        source: live?.stats,
      });
    }
  },
});
