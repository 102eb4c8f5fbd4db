import { createInterface } from 'node:readline/promises';
import type { CommandModule } from 'yargs';
import { destroyPipelineResources } from '../../deploy/destroy.ts';
import { deleteKafkaTopics } from '../../deploy/kafka-teardown.ts';
import { checkFunctionName } from '../../deploy/options.ts';
import { ConfigError } from '../../errors.ts';
import { createKafkaClient } from '../../kafka/client.ts';
import type { LogLevel } from '../../logger.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients, kafkaFromArgv } from '../config.ts';
import { awsOptions, functionNameOption, kafkaOptions, logOptions, topicNameOption } from '../options.ts';
import { cliLogger, ExitCode } from '../runtime.ts';

/** Ask on the terminal; anything but y/yes is a no. */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export const destroyCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'destroy',
  describe:
    "Remove what deploy created: the function (and its event source mappings), the SNS topic, the topic's place in the role",
  builder: (y) => {
    // The Kafka flags matter only with --kafka-topics: just --brokers and the connection settings.
    const { brokers, 'client-id': clientId, 'kafka-ssl': ssl, 'sasl-mechanism': sasl } = kafkaOptions(env);
    return y
      .options({
        ...awsOptions(env),
        ...logOptions(env),
        ...functionNameOption(env),
        ...topicNameOption(env),
      })
      .options({ brokers, 'client-id': clientId, 'kafka-ssl': ssl, 'sasl-mechanism': sasl })
      .options({
        'kafka-topics': {
          type: 'string',
          describe:
            'Also delete these Kafka topics (comma-separated; with their -dlq topics) and the consumer groups with offsets on them',
          group: 'Kafka:',
        },
        yes: {
          alias: 'y',
          type: 'boolean',
          default: false,
          describe: 'Do not ask for confirmation (for scripts)',
        },
      })
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
      );
  },
  handler: async (argv) => {
    const functionName = checkFunctionName(argv['function-name'], '--function-name');
    const topicName = String(argv['topic-name']);
    const kafkaTopics = String(argv['kafka-topics'] ?? '')
      .split(',')
      .map((topic) => topic.trim())
      .filter(Boolean);
    if (!argv.yes) {
      if (!process.stdin.isTTY)
        throw new ConfigError('--yes', 'is needed to destroy without a terminal to confirm on');
      const what = [
        `function ${functionName}`,
        `SNS topic ${topicName}`,
        ...kafkaTopics.map((t) => `Kafka topic ${t}`),
      ];
      if (!(await confirm(`Delete ${what.join(', ')}?`)))
        throw new ConfigError('destroy', 'not confirmed: nothing deleted');
    }
    const logger = cliLogger(argv['log-level'] as LogLevel, 'destroy');
    const clients = awsClients(argv, env);
    const result = await destroyPipelineResources({
      functionName,
      topicName,
      lambda: clients.lambda,
      sns: clients.sns,
      iam: clients.iam,
      logger,
    });
    const kafka =
      kafkaTopics.length > 0
        ? await deleteKafkaTopics(createKafkaClient(kafkaFromArgv(argv, env), logger), kafkaTopics)
        : undefined;
    console.log(JSON.stringify({ ...result, ...(kafka ? { kafka } : {}) }, null, 2));
    exit.code = ExitCode.OK;
  },
});
