/** `opensky-stream tail`, run (flags: src/cli/commands/tail.ts). */
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { CommandRun } from '../command.ts';
import type { tailFlags } from '../commands/tail.ts';
import { awsConfig } from '../config.ts';
import { openLivePage } from '../live-page.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';
import { formatNotification, openTail, topicArnByName } from '../tail.ts';

export const runTail: CommandRun<typeof tailFlags> = async (o, { env }) => {
  const logger = cliLogger(o.logLevel, 'tail');
  const { signal, dispose } = shutdownSignal(logger);
  const config = awsConfig(o.aws, env);
  const clients = { sns: new SNSClient(config), sqs: new SQSClient(config) };
  const topicArn = await topicArnByName(clients.sns, o.topicName);
  const tail = await openTail(clients, topicArn, o.countries ? { countries: o.countries } : {});
  const max = o.max ?? Number.POSITIVE_INFINITY;
  const receiving = new AbortController();
  signal.addEventListener('abort', () => receiving.abort(), { once: true });
  const timer = o.durationMs ? setTimeout(() => receiving.abort(), o.durationMs) : undefined;
  let count = 0;
  logger.info('tailing', { topicArn });
  const page = await openLivePage(
    { ui: o.ui.enabled, 'ui-port': o.ui.port },
    logger,
    `opensky-stream tail: ${o.topicName}`,
  );
  try {
    // Parallel receivers keep up with thousands of notifications a second.
    await tail.drain(
      (messages) => {
        for (const message of messages) {
          if (count >= max) break;
          count++;
          process.stdout.write(`${o.json ? message.Body : formatNotification(message)}\n`);
        }
        page?.addNotifications(messages.map((m) => m.Body));
        if (count >= max) receiving.abort();
      },
      {
        signal: receiving.signal,
        receivers: max < 10 ? 1 : 4,
        onError: (error) => logger.warn('receiving notifications failed', { error: String(error) }),
      },
    );
    clearTimeout(timer);
    return ExitCode.OK;
  } finally {
    await page?.close();
    await tail.close();
    dispose();
    logger.info('done', { notifications: count });
  }
};
