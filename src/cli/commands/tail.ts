import type { CommandModule } from 'yargs';
import type { LogLevel } from '../../logger.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients } from '../config.ts';
import { openLivePage, uiOptions } from '../live-page.ts';
import { awsOptions, envOption, logOptions, parseDuration } from '../options.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';
import { formatNotification, openTail, topicArnByName } from '../tail.ts';

export const tailCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'tail',
  describe: 'Print flight notifications as they arrive (a temporary SQS queue on the topic, removed on exit)',
  builder: (y) =>
    y.options({ ...awsOptions(env), ...logOptions(env) }).options({
      'topic-name': envOption(env, 'SNS_TOPIC_NAME', {
        type: 'string',
        describe: 'SNS topic',
        default: 'FlightNotifications',
      }),
      country: {
        type: 'string',
        array: true,
        describe: 'Only these origin countries (an SNS filter policy)',
      },
      json: { type: 'boolean', default: false, describe: 'Print the raw JSON notifications' },
      max: { type: 'number', describe: 'Exit after this many notifications' },
      duration: { type: 'string', describe: 'Exit after this long (30s, 5m)' },
      ...uiOptions(false),
    }),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'tail');
    const { signal, dispose } = shutdownSignal(logger);
    const clients = awsClients(argv, env);
    const topicArn = await topicArnByName(clients.sns, String(argv['topic-name']));
    const tail = await openTail(clients, topicArn, { countries: argv.country as string[] | undefined });
    const duration = parseDuration(argv.duration as string, 'duration');
    const max = argv.max === undefined ? Number.POSITIVE_INFINITY : Number(argv.max);
    const receiving = new AbortController();
    signal.addEventListener('abort', () => receiving.abort(), { once: true });
    const timer = duration ? setTimeout(() => receiving.abort(), duration) : undefined;
    let count = 0;
    logger.info('tailing', { topicArn });
    const page = await openLivePage(argv, logger, `opensky-stream tail: ${String(argv['topic-name'])}`);
    try {
      // Parallel receivers keep up with thousands of notifications a second.
      await tail.drain(
        (messages) => {
          for (const message of messages) {
            if (count >= max) break;
            count++;
            process.stdout.write(`${argv.json ? message.Body : formatNotification(message)}\n`);
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
      exit.code = ExitCode.OK;
    } finally {
      await page?.close();
      await tail.close();
      dispose();
      logger.info('done', { notifications: count });
    }
  },
});
