/** `opensky-stream demo`: its flags and help (the implementation, src/cli/run/demo.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { metricsFlags } from '../metrics.ts';
import { awsFlags, kafkaClientFlags, kafkaFlags, logFlags } from '../options.ts';
import { sourceFlags } from '../source-flags.ts';
import { uiFlags } from '../ui-flags.ts';

export const demoFlags = flags({
  ...sourceFlags,
  ...kafkaFlags,
  ...kafkaClientFlags,
  ...awsFlags,
  ...metricsFlags,
  ...logFlags,
  ...uiFlags(true),
  show: {
    type: 'number',
    to: 'show',
    default: 3,
    describe: 'Notifications printed per second (all are counted)',
  },
});

export const demoCommand = defineCommand({
  command: 'demo',
  describe:
    'The whole reference pipeline in one command: stack, deploy (function + Kafka event source mapping), produce, and notifications as they arrive',
  flags: demoFlags,
  help: (y) =>
    y
      .example('$0 demo', 'live OpenSky data (synthetic traffic when offline), until Ctrl-C')
      .example(
        '$0 demo --duration 1m --synthetic 5000',
        '5,000 generated aircraft per snapshot for a minute',
      ),
});
