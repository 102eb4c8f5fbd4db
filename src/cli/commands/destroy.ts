/** `opensky-stream destroy`: its flags and help (the implementation, src/cli/run/destroy.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { awsFlags, functionNameFlag, kafkaFlags, logFlags, splitList, topicNameFlag } from '../options.ts';
import { ExitCode } from '../runtime.ts';

// The Kafka flags matter only with --kafka-topics: just --brokers and the connection settings.
const { topic: _topic, ...kafkaConnectionFlags } = kafkaFlags;

export const destroyFlags = flags({
  ...awsFlags,
  ...logFlags,
  ...functionNameFlag,
  ...topicNameFlag,
  ...kafkaConnectionFlags,
  'kafka-topics': {
    type: 'string',
    to: 'kafkaTopics',
    describe:
      'Also delete these Kafka topics (comma-separated; with their -dlq topics) and the consumer groups with offsets on them',
    group: 'Kafka:',
    parse: splitList,
  },
  yes: {
    type: 'boolean',
    to: 'yes',
    alias: 'y',
    default: false,
    describe: 'Do not ask for confirmation (for scripts)',
  },
});

export const destroyCommand = defineCommand({
  command: 'destroy',
  describe:
    "Remove what deploy created: the function (and its event source mappings), the SNS topic, the topic's place in the role",
  flags: destroyFlags,
  help: (y) =>
    y
      .example(
        '$0 destroy --function-name my-fn --yes',
        'the function, FlightNotifications and its role statement',
      )
      .example('$0 destroy --kafka-topics aviation-data --yes', 'and the Kafka topic, its -dlq and groups')
      .epilogue(
        [
          'What is already gone is reported "absent", never an error. The role opensky-stream-lambda loses the',
          "topic's place in its sns:Publish statement, and is deleted once no topic is left; a role of yours",
          '(--role-arn at deploy) is left alone. Asks for confirmation on a terminal; elsewhere needs --yes.',
          `Exit codes: ${ExitCode.OK} removed (or already gone); ${ExitCode.USAGE} bad flags, or no --yes without a terminal,`,
          `or not confirmed; ${ExitCode.FAILURE} an AWS or Kafka call failed.`,
        ].join('\n'),
      ),
});
