/** `opensky-stream tail`: its flags (the implementation, src/cli/run/tail.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { awsFlags, durationFlag, logFlags, topicNameFlag } from '../options.ts';
import { uiFlags } from '../ui-flags.ts';

export const tailFlags = flags({
  ...awsFlags,
  ...logFlags,
  ...topicNameFlag,
  country: {
    type: 'string',
    to: 'countries',
    array: true,
    describe: 'Only these origin countries (an SNS filter policy)',
  },
  json: { type: 'boolean', to: 'json', default: false, describe: 'Print the raw JSON notifications' },
  max: { type: 'number', to: 'max', describe: 'Exit after this many notifications' },
  ...durationFlag('Exit after this long (30s, 5m)'),
  ...uiFlags(false),
});

export const tailCommand = defineCommand({
  command: 'tail',
  describe: 'Print flight notifications as they arrive (a temporary SQS queue on the topic, removed on exit)',
  flags: tailFlags,
});
