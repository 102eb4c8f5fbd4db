import type { CommandModule } from 'yargs';
import { DEFAULT_BATCH_SIZE } from '../../bridge/invoker.ts';
import { ConfigError } from '../../errors.ts';
import type { LogLevel } from '../../logger.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients, kafkaFromArgv } from '../config.ts';
import { metricsOptions, serveMetricsFromArgv } from '../metrics.ts';
import { awsOptions, envOption, kafkaOptions, logOptions, parseDuration } from '../options.ts';
import { cliLogger, ExitCode, rateMeter, shutdownSignal, startProgress } from '../runtime.ts';

export const bridgeCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'bridge',
  describe:
    'Consume Kafka and invoke a Lambda function with the records (the event AWS event source mappings send)',
  builder: (y) =>
    y
      .options({ ...kafkaOptions(env), ...awsOptions(env), ...metricsOptions(env), ...logOptions(env) })
      .options({
        'function-name': envOption(env, 'LAMBDA_FUNCTION_NAME', {
          type: 'string',
          describe: 'Function name or ARN',
          default: 'opensky-stream-processor',
          group: 'Lambda:',
        }),
        'group-id': envOption(env, 'KAFKA_GROUP_ID', {
          type: 'string',
          describe: 'Consumer group',
          default: 'opensky-stream-bridge',
          group: 'Kafka:',
        }),
        'batch-size': envOption(env, 'BRIDGE_BATCH_SIZE', {
          type: 'number',
          describe: 'Records per invocation (1-10000), also bounded by the 6 MB payload limit',
          default: DEFAULT_BATCH_SIZE,
          group: 'Lambda:',
        }),
        'batching-window': envOption(env, 'BRIDGE_BATCHING_WINDOW', {
          type: 'string',
          describe: 'How long to wait to fill a batch',
          default: '500ms',
          group: 'Lambda:',
        }),
        'starting-position': envOption(env, 'BRIDGE_STARTING_POSITION', {
          type: 'string',
          // A new group reads what was produced before it started (produce, then bridge, as the
          // getting-started guide runs them, loses nothing); AWS's mappings advise the same.
          describe:
            'Where a new group starts: TRIM_HORIZON (the oldest record kept: nothing produced before is skipped), LATEST, or an ISO time (AT_TIMESTAMP)',
          default: 'TRIM_HORIZON',
          group: 'Kafka:',
        }),
        'dead-letter-topic': envOption(env, 'BRIDGE_DEAD_LETTER_TOPIC', {
          type: 'string',
          describe:
            "Topic for batches that keep failing (default <topic>-dlq); 'none' to retry forever instead",
          group: 'Lambda:',
        }),
        'max-retries': envOption(env, 'BRIDGE_MAX_RETRIES', {
          type: 'number',
          describe:
            'Retries of a batch the function failed before the dead-letter topic (-1: forever); throttled or unreachable Invokes are retried until they pass',
          default: 3,
          group: 'Lambda:',
        }),
        bisect: {
          type: 'boolean',
          default: false,
          describe: 'Split failing batches to isolate bad records',
          group: 'Lambda:',
        },
        'max-record-age': {
          type: 'string',
          describe: 'Dead-letter records older than this (e.g. 1h)',
          group: 'Lambda:',
        },
        concurrency: {
          type: 'number',
          default: 3,
          describe: 'Partitions processed at once',
          group: 'Kafka:',
        },
        duration: { type: 'string', describe: 'Stop after this long (30s, 5m)' },
      })
      .example('$0 bridge --endpoint-url http://127.0.0.1:4566', 'to the local stack')
      .example(
        '$0 bridge --function-name my-fn --batch-size 500 --starting-position LATEST',
        'real AWS, only what is produced from now on',
      ),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'bridge');
    const { signal, dispose } = shutdownSignal(logger);
    const position = String(argv['starting-position']);
    const startingPosition =
      position === 'LATEST' || position === 'TRIM_HORIZON' ? position : { timestamp: Date.parse(position) };
    if (typeof startingPosition === 'object' && !Number.isFinite(startingPosition.timestamp)) {
      throw new ConfigError(
        '--starting-position',
        `must be LATEST, TRIM_HORIZON or an ISO time, got '${position}'`,
      );
    }
    const dlq = argv['dead-letter-topic'] as string | undefined;
    const maxAge = parseDuration(argv['max-record-age'] as string, 'max-record-age');
    const pipeline = createPipeline({
      mode: 'bridge',
      invoker: {
        ...kafkaFromArgv(argv, env),
        topic: String(argv.topic),
        functionName: String(argv['function-name']),
        groupId: String(argv['group-id']),
        batchSize: Number(argv['batch-size']),
        batchingWindowMs: parseDuration(argv['batching-window'] as string, 'batching-window') ?? 500,
        startingPosition,
        maxRetryAttempts: Number(argv['max-retries']),
        bisectBatchOnFunctionError: Boolean(argv.bisect),
        partitionConcurrency: Number(argv.concurrency),
        ...(dlq === 'none' ? { deadLetterTopic: null } : dlq ? { deadLetterTopic: dlq } : {}),
        ...(maxAge !== undefined ? { maximumRecordAgeSeconds: maxAge / 1000 } : {}),
        lambda: awsClients(argv, env).lambda,
      },
      logger,
      signal,
    });
    let served: Awaited<ReturnType<typeof serveMetricsFromArgv>>;
    try {
      served = await serveMetricsFromArgv(argv, [pipeline], logger);
    } catch (error) {
      dispose();
      throw error;
    }
    const duration = parseDuration(argv.duration as string, 'duration');
    const timer = duration ? setTimeout(() => void pipeline.stop(), duration) : undefined;
    const rate = rateMeter();
    const progress = startProgress(
      () => {
        const s = pipeline.stats.invoker;
        return {
          records: s?.recordsIn ?? 0,
          'rec/s': rate(s?.recordsIn ?? 0),
          invocations: s?.invocations ?? 0,
          errors: s?.errors ?? 0,
          retries: s?.retries ?? 0,
          dlq: s?.deadLettered ?? 0,
          restarts: s?.restarts ?? 0,
          'invoke ms': Math.round(s?.lastInvokeMs ?? 0),
        };
      },
      { logger },
    );
    try {
      await pipeline.run();
      exit.code = (pipeline.stats.invoker?.deadLettered ?? 0) > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    } finally {
      progress.stop();
      clearTimeout(timer);
      dispose();
      await served?.close();
      logger.info('done', { ...pipeline.stats.invoker });
    }
  },
});
