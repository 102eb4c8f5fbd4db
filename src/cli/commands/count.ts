/** `opensky-stream count`: its flags (the implementation, src/cli/run/count.ts, loads when it runs: commands.ts). */
import { ConfigError } from '../../errors.ts';
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { awsFlags, topicNameFlag } from '../options.ts';

export const countFlags = flags({
  ...awsFlags,
  ...topicNameFlag,
  minutes: {
    type: 'number',
    to: 'minutes',
    default: 5,
    describe: 'Look back this many minutes',
    parse: (value: number, flag: string) => {
      if (!(value > 0)) throw new ConfigError(`--${flag}`, 'must be a positive number');
      return value;
    },
  },
  json: { type: 'boolean', to: 'json', default: false, describe: 'Print JSON (total and per minute)' },
});

export const countCommand = defineCommand({
  command: 'count',
  describe:
    "How many messages the SNS topic accepted in the last N minutes (SNS's CloudWatch metric AWS/SNS NumberOfMessagesPublished)",
  flags: countFlags,
});
