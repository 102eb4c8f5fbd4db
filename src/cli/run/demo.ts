/** `opensky-stream demo`, run: the whole reference pipeline (flags: src/cli/commands/demo.ts). */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import crossFetch from 'cross-fetch';
import { deployPipelineResources } from '../../deploy/deploy.ts';
import { ensureKafkaEventSourceMapping } from '../../deploy/event-source-mapping.ts';
import { createKafkaClient, ensureTopic } from '../../kafka/client.ts';
import type { Logger } from '../../logger.ts';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import type { CommandRun } from '../command.ts';
import type { demoFlags } from '../commands/demo.ts';
import { awsConfig, kafkaConnection } from '../config.ts';
import type { FlagValues } from '../flags.ts';
import { runService, type Service, type ServiceContext } from '../lifecycle.ts';
import { openLivePage } from '../live-page.ts';
import { mappingProgress } from '../mapping-progress.ts';
import { splitList } from '../options.ts';
import { ExitCode, rateMeter } from '../runtime.ts';
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

type DemoOptions = FlagValues<typeof demoFlags>;

export const runDemo: CommandRun<typeof demoFlags> = (o, { env }) =>
  runService(
    { name: 'demo', logLevel: o.logLevel, metrics: o.metrics, durationMs: o.durationMs },
    (context) => startDemo(o, env, context),
  );

/**
 * Deploy, open the notification queue, wire the mapping and create the produce pipeline; the
 * service runs it and shows what arrives until stopped (`--duration` or a signal).
 */
async function startDemo(
  o: DemoOptions,
  env: NodeJS.ProcessEnv,
  { logger, signal }: ServiceContext,
): Promise<Service> {
  if (!env.AWS_ENDPOINT_URL && !env.KAFKA_BROKERS) {
    await ensureLocalStack(env, logger);
    o.aws.endpoint = env.AWS_ENDPOINT_URL;
    o.kafka.brokers = splitList(env.KAFKA_BROKERS ?? '');
  }
  const config = awsConfig(o.aws, env);
  const clients = {
    lambda: new LambdaClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    iam: new IAMClient(config),
  };
  const deployed = await deployPipelineResources({ ...clients, logger });
  logger.info('deployed', {
    function: deployed.functionName,
    status: deployed.function,
    topicArn: deployed.topicArn,
  });

  if (
    o.source.replay === undefined &&
    o.source.synthetic === undefined &&
    o.source.chain.join(',') === 'opensky'
  ) {
    const problem = await openSkyReachable(o.source.baseUrl);
    if (problem) {
      logger.warn(
        `OpenSky API unreachable (${problem}): no internet here? Using synthetic traffic of the live feed's size instead (${fmtInt(DEMO_SYNTHETIC_AIRCRAFT)} aircraft); --synthetic N or --replay <file> choose`,
      );
      o.source.synthetic = DEMO_SYNTHETIC_AIRCRAFT;
    }
  }
  const { source, describe, active } = resolveSource(o.source, env, logger, signal);
  const tail = await openTail(clients, deployed.topicArn);
  // From here on the queue and its subscription exist: whatever fails, close() removes them.
  let failed: Error | undefined;
  let notifications = 0;
  const pipelines: Array<{ stop(): Promise<unknown> }> = [];
  let running: Promise<unknown> = Promise.resolve();
  const receiving = new AbortController();
  // Once, whether run() ends, start fails half-way or the service is closed after a failure.
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      receiving.abort();
      for (const pipeline of pipelines) await pipeline.stop();
      await running.catch((error: unknown) =>
        logger.error('pipeline failed', { error: (error as Error).message }),
      );
      await tail.close();
    })();
    return closing;
  };
  try {
    const kafka = kafkaConnection(o.kafka, env);
    const topic = o.kafka.topic;
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
    const produce = createPipeline({
      mode: 'produce',
      source,
      sink: { ...kafka, topic, client: o.kafka.client },
      logger,
      signal,
    });
    pipelines.push(produce, progress);
    return {
      pipelines: [produce],
      run: async () => {
        logger.info(
          'running: OpenSky → Kafka → event source mapping → Lambda → SNS → this terminal (Ctrl-C stops)',
          { source: describe },
        );
        running = produce.run().catch((error: Error) => {
          failed = error;
          logger.error('pipeline failed', { error: error.message });
          receiving.abort();
        });
        signal.addEventListener('abort', () => receiving.abort(), { once: true });
        const display = notificationDisplay({ show: o.show, logger });
        const page = await openLivePage(
          { ui: o.ui.enabled, 'ui-port': o.ui.port, kafka, topic },
          logger,
          'opensky-stream demo',
        );
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
          display.close();
          await page?.close();
        }
        await close();
        return failed ? ExitCode.FAILURE : ExitCode.OK;
      },
      // --duration ends the display; close() then stops the pipelines.
      stop: () => receiving.abort(),
      close,
      done: () => ({ notifications }),
    };
  } catch (error) {
    await close();
    throw error;
  }
}
