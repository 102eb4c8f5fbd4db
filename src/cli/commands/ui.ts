/** `opensky-stream ui`: its flags and help (the implementation, src/cli/run/ui.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { durationFlag, kafkaFlags, logFlags } from '../options.ts';
import { uiPortFlag } from '../ui-flags.ts';

export const uiFlags = flags({
  ...kafkaFlags,
  topic: { ...kafkaFlags.topic, describe: 'The topic whose newest messages the view shows first' },
  ...logFlags,
  'ui-port': uiPortFlag,
  ...durationFlag('Stop after this long (30s, 5m); default: until Ctrl-C'),
});

/**
 * `opensky-stream ui`: the live page on its own, opened on its Kafka view, for a look at a
 * cluster without running a pipeline (what a Kafka UI is for). Read-only.
 */
export const uiCommand = defineCommand({
  command: 'ui',
  describe:
    'A read-only look into Kafka in the browser: topics and their offsets, consumer groups with their lag, and the newest messages of a topic',
  flags: uiFlags,
  help: (y) =>
    y
      .example('$0 ui', 'the local stack (or KAFKA_BROKERS) on http://127.0.0.1:8080/')
      .example('$0 ui --brokers kafka1:9092 --ui-port 8081', 'another cluster, on another port'),
});
