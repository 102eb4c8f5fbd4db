/**
 * One event source mapping's poller, in a process of its own (forked by the
 * router, see supervisor.ts): a crash here never takes the AWS endpoint down,
 * and the polling runs beside the router rather than in its event loop.
 *
 * It runs the project's one poller, {@link LambdaInvoker}, with the options
 * the mapping gives (invoker-options.ts), invoking through the stack's own
 * endpoint as AWS's pollers invoke through Lambda's API. It reports
 * `LastProcessingResult` to the router and the mapping's metrics to
 * CloudWatch, and on `stop` (or SIGTERM, or the router gone) stops
 * gracefully: what completed is committed.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaInvoker } from '../../bridge/invoker.ts';
import { createOnFailureDestination } from '../../bridge/on-failure.ts';
import { createJsonLogger } from '../../logger.ts';
import { invokerOptionsFromMapping } from './invoker-options.ts';
import type { FromWorker, ToWorker } from './messages.ts';
import { type Counters, ESM_METRIC_NAMESPACE, metricData, totalLag } from './metrics.ts';
import { connectionFromAccess, secretsManagerReader } from './secrets.ts';

type StartMessage = Extract<ToWorker, { type: 'start' }>;

/** Send a message to the router; resolves once it is written (or when there is no router to tell). */
const send = (message: FromWorker): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected || !process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });

/** Tell the router why, then exit with `code`. */
const exitWith = async (code: number, message: FromWorker) => {
  await send(message);
  process.exit(code);
};

/** The stack's test credentials, as every client of the local endpoint uses them. */
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'test',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'test',
};

let invoker: LambdaInvoker | undefined;
let stopping: Promise<void> | undefined;
let flushMetrics: (() => Promise<void>) | undefined;

async function start(message: StartMessage): Promise<void> {
  const { configuration, endpoint, region } = message;
  const uuid = configuration.UUID;
  const logger = createJsonLogger({
    level: 'info',
    base: { esm: uuid },
    write: (line) => process.stdout.write(`${line}\n`),
  });
  const connection = await connectionFromAccess(
    configuration.SourceAccessConfigurations,
    secretsManagerReader({ endpoint, region, credentials }),
  );
  const options = invokerOptionsFromMapping(configuration, connection, process.env);
  const lambda = new LambdaClient({ endpoint, region, credentials, maxAttempts: 1 });
  // An SQS queue or SNS topic as the on-failure destination gets AWS's invocation record.
  const destination = configuration.DestinationConfig?.OnFailure.Destination;
  const target = destination
    ? createOnFailureDestination(destination, {
        sqs: new SQSClient({ endpoint, region, credentials }),
        sns: new SNSClient({ endpoint, region, credentials }),
        bootstrapServers: options.brokers ?? [],
        functionArn: configuration.FunctionArn,
      })
    : undefined;
  if (target && target.kind !== 'kafka') options.onFailure = target;
  invoker = new LambdaInvoker({ ...options, lambda, invokeTransport: 'rest', logger });
  let result = '';
  // The poller words its LastProcessingResult itself, as AWS does.
  invoker.on('result', (next) => {
    if (next === result) return;
    result = next;
    void send({ type: 'result', result });
  });

  const cloudwatch = new CloudWatchClient({ endpoint, region, credentials });
  const eventCount = configuration.MetricsConfig?.Metrics.includes('EventCount') ?? false;
  let previous: Counters = {};
  flushMetrics = async () => {
    if (!invoker) return;
    const stats: Counters = { ...invoker.stats };
    const offsetLag = await invoker.lag().then(totalLag, () => undefined);
    const data = metricData({ uuid, stats, previous, offsetLag, eventCount, timestamp: new Date() });
    if (data.length === 0) return;
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: ESM_METRIC_NAMESPACE, MetricData: data }));
    previous = stats;
  };
  const timer = setInterval(() => {
    flushMetrics?.().catch((error: unknown) =>
      logger.warn('could not publish the mapping metrics', { error: String(error) }),
    );
  }, message.metricsIntervalMs);
  timer.unref();

  invoker.done().then(
    () => undefined,
    (error: unknown) => exitWith(1, { type: 'failed', error: String((error as Error)?.message ?? error) }),
  );
  await invoker.start();
  await send({ type: 'running' });
}

function stop(): Promise<void> {
  stopping ??= (async () => {
    await invoker?.stop();
    await flushMetrics?.().catch(() => undefined);
    await exitWith(0, { type: 'stopped' });
  })();
  return stopping;
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'start') {
    start(message).catch((error: unknown) =>
      exitWith(1, { type: 'failed', error: String((error as Error)?.message ?? error) }),
    );
  } else if (message.type === 'stop') void stop();
});
// The router went away (it never leaves a poller without its endpoint) or asked the process group to stop.
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
