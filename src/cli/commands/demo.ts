import crossFetch from 'cross-fetch';
import type { CommandModule } from 'yargs';
import { deployPipelineResources } from '../../deploy/deploy.ts';
import { ensureKafkaEventSourceMapping } from '../../deploy/event-source-mapping.ts';
import { createKafkaClient, ensureTopic } from '../../kafka/client.ts';
import type { Logger, LogLevel } from '../../logger.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients, kafkaFromArgv } from '../config.ts';
import { openLivePage, uiOptions } from '../live-page.ts';
import { mappingProgress } from '../mapping-progress.ts';
import { metricsOptions, serveMetricsFromArgv } from '../metrics.ts';
import { awsOptions, kafkaOptions, logOptions, parseDuration, sourceOptions } from '../options.ts';
import { cliLogger, ExitCode, rateMeter, shutdownSignal } from '../runtime.ts';
import { resolveSource } from '../sources.ts';
import { notificationDisplay, openTail } from '../tail.ts';

/**
 * Start the native local stack (or reuse a running one) when nothing else is
 * configured, from a checkout or an installed package alike, and point the
 * pipeline at it (the ports and run directory follow the same environment as
 * `opensky-stream stack`).
 */
async function ensureLocalStack(env: NodeJS.ProcessEnv, logger: Logger): Promise<void> {
  // Loaded only here: the other commands never need the stack's code.
  const { stackConfig } = await import('../../stack/lib.ts');
  const { stackUp } = await import('../../stack/stack.ts');
  const cfg = stackConfig(env);
  logger.info('no endpoints configured: starting the local stack (opensky-stream stack down stops it)', {
    runDir: cfg.runDir,
  });
  try {
    await stackUp(cfg, (message) => logger.info(`stack: ${message}`));
  } catch (error) {
    throw new Error(
      `the local stack could not start (set KAFKA_BROKERS and AWS_ENDPOINT_URL to use other services, or start LocalStack with the docker-compose.yml): ${(error as Error).message}`,
      { cause: error },
    );
  }
  env.KAFKA_BROKERS ??= `${cfg.host}:${cfg.kafkaPort}`;
  env.AWS_ENDPOINT_URL ??= `http://${cfg.host}:${cfg.awsPort}`;
}

async function openSkyReachable(baseUrl: string): Promise<string | undefined> {
  try {
    // A tiny box: 1 credit, and it answers fast.
    const response = await (crossFetch as typeof fetch)(
      `${baseUrl.replace(/\/+$/, '')}/states/all?lamin=46&lomin=7&lamax=47&lomax=8`,
      {
        signal: AbortSignal.timeout(8000),
      },
    );
    return response.ok ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The offline demo's feed: the size of the live global feed (5–12 k aircraft per snapshot). */
const DEMO_SYNTHETIC_AIRCRAFT = 10_000;
const fmtInt = (n: number) => n.toLocaleString('en-US');

export const demoCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'demo',
  describe:
    'The whole reference pipeline in one command: stack, deploy (function + Kafka event source mapping), produce, and notifications as they arrive',
  builder: (y) =>
    y
      .options({
        ...sourceOptions(env),
        ...kafkaOptions(env),
        ...awsOptions(env),
        ...metricsOptions(env),
        ...logOptions(env),
        ...uiOptions(true),
      })
      .option('show', {
        type: 'number',
        default: 3,
        describe: 'Notifications printed per second (all are counted)',
      })
      .example('$0 demo', 'live OpenSky data (synthetic traffic when offline), until Ctrl-C')
      .example(
        '$0 demo --duration 1m --synthetic 5000',
        '5,000 generated aircraft per snapshot for a minute',
      ),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'demo');
    const { signal, dispose } = shutdownSignal(logger);
    if (!env.AWS_ENDPOINT_URL && !env.KAFKA_BROKERS) {
      await ensureLocalStack(env, logger);
      argv['endpoint-url'] = env.AWS_ENDPOINT_URL;
      argv.brokers = env.KAFKA_BROKERS;
    }
    const clients = awsClients(argv, env);
    const deployed = await deployPipelineResources({ ...clients, logger });
    logger.info('deployed', {
      function: deployed.functionName,
      status: deployed.function,
      topicArn: deployed.topicArn,
    });

    if (
      argv.replay === undefined &&
      argv.synthetic === undefined &&
      (argv.source ?? 'opensky') === 'opensky'
    ) {
      const problem = await openSkyReachable(String(argv['base-url']));
      if (problem) {
        logger.warn(
          `OpenSky API unreachable (${problem}): no internet here? Using synthetic traffic of the live feed's size instead (${fmtInt(DEMO_SYNTHETIC_AIRCRAFT)} aircraft); --synthetic N or --replay <file> choose`,
        );
        argv.synthetic = DEMO_SYNTHETIC_AIRCRAFT;
      }
    }
    const { source, describe, active } = resolveSource(argv, env, logger, signal);
    const tail = await openTail(clients, deployed.topicArn);
    // From here on the queue and its subscription exist: whatever fails, close() removes them.
    let failed: Error | undefined;
    let notifications = 0;
    const pipelines: Array<{ stop(): Promise<unknown> }> = [];
    let running: Promise<unknown> = Promise.resolve();
    const receiving = new AbortController();
    let metrics: Awaited<ReturnType<typeof serveMetricsFromArgv>>;
    try {
      const kafka = kafkaFromArgv(argv, env);
      const topic = String(argv.topic);
      const kafkaClient = createKafkaClient(kafka, logger);
      await ensureTopic(kafkaClient, { topic }, logger);
      // The function consumes the topic as on AWS: through an event source mapping, which the
      // stack (or AWS) runs. This process only produces and shows what arrives.
      const trigger = await ensureKafkaEventSourceMapping({
        functionName: deployed.functionName,
        topic,
        bootstrapServers: kafka.brokers ?? [],
        lambda: clients.lambda,
        logger,
      });
      logger.info('event source mapping', {
        uuid: trigger.uuid,
        status: trigger.mapping,
        state: trigger.state,
      });
      const progress = await mappingProgress(kafkaClient, clients.lambda, trigger.uuid, topic);
      const produce = createPipeline({ mode: 'produce', source, sink: { ...kafka, topic }, logger, signal });
      pipelines.push(produce, progress);
      metrics = await serveMetricsFromArgv(argv, [produce], logger);
      logger.info(
        'running: OpenSky → Kafka → event source mapping → Lambda → SNS → this terminal (Ctrl-C stops)',
        {
          source: describe,
        },
      );
      running = produce.run().catch((error: Error) => {
        failed = error;
        logger.error('pipeline failed', { error: error.message });
        receiving.abort();
      });
      signal.addEventListener('abort', () => receiving.abort(), { once: true });
      const duration = parseDuration(argv.duration as string, 'duration');
      const timer = duration ? setTimeout(() => receiving.abort(), duration) : undefined;

      const display = notificationDisplay({ show: Number(argv.show), logger });
      const page = await openLivePage(argv, logger, 'opensky-stream demo');
      const rate = rateMeter();
      // Records the mapping has taken since the demo started: what was produced, plus the backlog
      // it had at the start, less what it still has to take.
      const startLag = progress.current.lag ?? 0;
      const ticker = setInterval(() => {
        const produced = produce.stats.sink?.messages ?? 0;
        const mapping = progress.current;
        const invoked =
          mapping.lag === undefined ? undefined : Math.max(0, produced + startLag - mapping.lag);
        page?.setHealth({
          // The source being polled (a failover chain's active one).
          source: active(),
          snapshots: produce.stats.snapshots,
          produced,
          invoked,
          mapping: mapping.state,
          'last result': mapping.lastProcessingResult,
          'dead-lettered': mapping.deadLettered,
          // Records in Kafka the mapping's consumer group has not committed yet.
          'consumer lag': mapping.lag,
        });
        display.tick({
          snapshots: produce.stats.snapshots,
          produced,
          invoked: invoked ?? 0,
          lag: mapping.lag ?? 0,
          notifications,
          'per s': rate(notifications),
        });
      }, 1000);
      try {
        await tail.drain(
          (messages) => {
            notifications += messages.length;
            display.add(messages);
            page?.addNotifications(messages.map((m) => m.Body));
          },
          {
            signal: receiving.signal,
            receivers: 4,
            onError: (error) => logger.warn('receiving notifications failed', { error: String(error) }),
          },
        );
      } finally {
        clearInterval(ticker);
        clearTimeout(timer);
        display.close();
        await page?.close();
      }
    } finally {
      receiving.abort();
      for (const pipeline of pipelines) await pipeline.stop();
      await running.catch((error: unknown) =>
        logger.error('pipeline failed', { error: (error as Error).message }),
      );
      await tail.close();
      await metrics?.close();
      dispose();
      logger.info('done', { notifications });
    }
    exit.code = failed ? ExitCode.FAILURE : ExitCode.OK;
  },
});
