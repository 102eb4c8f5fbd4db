import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.ts';
import { countPublished } from '../../handler/metrics.ts';
import type { CommandFactory } from '../command.ts';
import { awsConfig } from '../config.ts';
import { awsOptions, envOption } from '../options.ts';
import { ExitCode } from '../runtime.ts';

export const countCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'count',
  describe:
    "How many messages the SNS topic accepted in the last N minutes (SNS's CloudWatch metric AWS/SNS NumberOfMessagesPublished)",
  builder: (y) =>
    y.options({ ...awsOptions(env) }).options({
      'topic-name': envOption(env, 'SNS_TOPIC_NAME', {
        type: 'string',
        describe: 'SNS topic',
        default: 'FlightNotifications',
      }),
      minutes: { type: 'number', default: 5, describe: 'Look back this many minutes' },
      json: { type: 'boolean', default: false, describe: 'Print JSON (total and per minute)' },
    }),
  handler: async (argv) => {
    const minutes = Number(argv.minutes);
    if (!(minutes > 0)) throw new ConfigError('--minutes', 'must be a positive number');
    const result = await countPublished(
      new CloudWatchClient(awsConfig(argv, env)),
      String(argv['topic-name']),
      minutes,
    );
    if (argv.json) console.log(JSON.stringify({ topic: argv['topic-name'], minutes, ...result }));
    else {
      for (const { minute, count } of result.perMinute)
        console.log(`${minute}Z  ${String(count).padStart(7)}`);
      console.log(
        `${result.total} notifications published to ${argv['topic-name']} in the last ${minutes} min`,
      );
    }
    exit.code = ExitCode.OK;
  },
});
