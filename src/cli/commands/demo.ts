import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import crossFetch from 'cross-fetch';
import type { CommandModule } from 'yargs';
import { packageRoot } from '../../deploy/bundle.ts';
import { deployPipelineResources } from '../../deploy/deploy.ts';
import { createKafkaClient, ensureTopic } from '../../kafka/client.ts';
import type { Logger, LogLevel } from '../../logger.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import { awsClients, kafkaFromArgv } from '../config.ts';
import type { CommandFactory } from '../main.ts';
import { awsOptions, kafkaOptions, logOptions, parseDuration, sourceOptions } from '../options.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';
import { resolveSource } from '../sources.ts';
import { formatNotification, openTail } from '../tail.ts';

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

export const demoCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'demo',
  describe:
    'The whole reference pipeline in one command: stack, deploy, produce + bridge, and notifications as they arrive',
  builder: (y) =>
    y
      .options({ ...sourceOptions(env), ...kafkaOptions(env), ...awsOptions(env), ...logOptions(env) })
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

    if (argv.replay === undefined && argv.synthetic === undefined) {
      const problem = await openSkyReachable(String(argv['base-url']));
      if (problem) {
        logger.warn(
          `OpenSky API unreachable (${problem}): no internet here? Using synthetic traffic instead; --replay <file> replays a recording`,
        );
        argv.synthetic = 2000;
      }
    }
    const { source, describe } = resolveSource(argv, env, logger, signal);
    const tail = await openTail(clients, deployed.topicArn);
    const kafka = kafkaFromArgv(argv, env);
    const topic = String(argv.topic);
    await ensureTopic(createKafkaClient(kafka, logger), { topic }, logger);
    const bridge = createPipeline({
      mode: 'bridge',
      invoker: {
        ...kafka,
        topic,
        functionName: deployed.functionName,
        groupId: `opensky-stream-demo-${Date.now().toString(36)}`,
        startingPosition: { timestamp: Date.now() },
        batchSize: 500,
        lambda: clients.lambda,
      },
      logger,
    });
    const produce = createPipeline({ mode: 'produce', source, sink: { ...kafka, topic }, logger, signal });
    logger.info('running: OpenSky → Kafka → Lambda → SNS → this terminal (Ctrl-C stops)', {
      source: describe,
    });

    const duration = parseDuration(argv.duration as string, 'duration');
    const stopAt = duration ? Date.now() + duration : Number.POSITIVE_INFINITY;
    let failed: Error | undefined;
    const running = Promise.all([bridge.run(), produce.run()]).catch((error: Error) => {
      failed = error;
      logger.error('pipeline failed', { error: error.message });
    });
    let notifications = 0;
    let shownThisSecond = 0;
    let second = Math.floor(Date.now() / 1000);
    let lastSummary = Date.now();
    try {
      while (!signal.aborted && Date.now() < stopAt && !failed) {
        const messages = await tail.receive(1);
        notifications += messages.length;
        for (const message of messages) {
          const now = Math.floor(Date.now() / 1000);
          if (now !== second) {
            second = now;
            shownThisSecond = 0;
          }
          if (shownThisSecond++ < Number(argv.show)) process.stdout.write(`${formatNotification(message)}\n`);
        }
        if (Date.now() - lastSummary >= 5000) {
          lastSummary = Date.now();
          const invoker = bridge.stats.invoker;
          process.stdout.write(
            `— snapshots ${produce.stats.snapshots}, produced ${produce.stats.sink?.messages ?? 0}, invoked ${invoker?.invocations ?? 0} ` +
              `(${invoker?.recordsIn ?? 0} records, ${invoker?.errors ?? 0} errors), notifications received ${notifications}\n`,
          );
        }
      }
    } finally {
      await produce.stop();
      await bridge.stop();
      await running.catch((error: unknown) =>
        logger.error('pipeline failed', { error: (error as Error).message }),
      );
      await tail.close();
      dispose();
      logger.info('done', {
        snapshots: produce.stats.snapshots,
        produced: produce.stats.sink?.messages ?? 0,
        invocations: bridge.stats.invoker?.invocations ?? 0,
        notifications,
      });
    }
    exit.code = failed ? ExitCode.FAILURE : ExitCode.OK;
  },
});
