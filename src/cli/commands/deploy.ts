/** `opensky-stream deploy`: its flags and help (the implementation, src/cli/run/deploy.ts, loads when it runs: commands.ts). */
import { DEFAULT_KAFKA_TOPIC } from '../../config/defaults.ts';
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { awsFlags, functionNameFlag, logFlags, splitList, topicNameFlag } from '../options.ts';
import { ExitCode } from '../runtime.ts';

const TRIGGER = 'Kafka trigger (event source mapping):';

export const deployFlags = flags({
  ...awsFlags,
  ...logFlags,
  ...functionNameFlag,
  ...topicNameFlag,
  code: {
    type: 'string',
    to: 'code',
    describe:
      'Your function: a .zip, a directory (zipped as it is), or one .js/.mjs/.cjs file (zipped under its name)',
  },
  handler: {
    type: 'string',
    to: 'handler',
    describe:
      'Handler, file.export (default with --code: index.handler for index.mjs/.js/.cjs in the package)',
  },
  force: {
    type: 'boolean',
    to: 'force',
    default: false,
    describe:
      "Replace a function's code even when deploy did not build it (your --code, or a function it never deployed)",
  },
  'role-arn': {
    type: 'string',
    to: 'roleArn',
    env: 'LAMBDA_ROLE_ARN',
    describe: 'Execution role; when absent the role opensky-stream-lambda is created (needs iam:CreateRole)',
  },
  runtime: {
    type: 'string',
    to: 'runtime',
    default: 'nodejs22.x',
    describe:
      'Lambda runtime (the local stack runs nodejsN.x on its own Node.js and python3.N on a Python of that version; others are refused)',
  },
  timeout: { type: 'number', to: 'timeout', default: 30, describe: 'Function timeout, seconds (1–900)' },
  memory: { type: 'number', to: 'memory', default: 256, describe: 'Function memory, MB (128–10240)' },
  'kafka-bootstrap-servers': {
    type: 'string',
    to: 'trigger.bootstrapServers',
    env: 'KAFKA_BOOTSTRAP_SERVERS',
    group: TRIGGER,
    describe:
      'Wire the function to Kafka: create or update its event source mapping for these brokers (host:port, comma-separated), as AWS runs it',
    parse: splitList,
  },
  'msk-cluster-arn': {
    type: 'string',
    to: 'trigger.mskClusterArn',
    group: TRIGGER,
    describe: 'Wire the function to an Amazon MSK cluster instead (its ARN; AWS only)',
  },
  topic: {
    type: 'string',
    to: 'trigger.topic',
    env: 'KAFKA_TOPIC',
    default: DEFAULT_KAFKA_TOPIC,
    group: TRIGGER,
    describe: 'The topic the mapping consumes (deploy creates it when it can reach the brokers)',
  },
  'starting-position': {
    type: 'string',
    to: 'trigger.startingPosition',
    choices: ['LATEST', 'TRIM_HORIZON'],
    group: TRIGGER,
    describe:
      'Where a new mapping starts (create-only) [default: TRIM_HORIZON: nothing produced before is skipped]',
  },
  'batch-size': {
    type: 'number',
    to: 'trigger.batchSize',
    group: TRIGGER,
    describe: 'Records per invocation, 1–10000 [default: 500]',
  },
  'consumer-group-id': {
    type: 'string',
    to: 'trigger.consumerGroupId',
    group: TRIGGER,
    describe: "The mapping's consumer group (create-only) [default: AWS's, the mapping's UUID]",
  },
  'dead-letter-topic': {
    type: 'string',
    to: 'trigger.deadLetterTopic',
    group: TRIGGER,
    describe: 'On-failure destination topic (kafka://…), or off [default: <topic>-dlq]',
  },
  'provisioned-pollers': {
    type: 'string',
    to: 'trigger.provisionedPollers',
    group: TRIGGER,
    describe:
      "Provisioned mode's pollers MIN:MAX, or off for on-demand mode (AWS offers retries, partial batch responses and on-failure destinations for Kafka in provisioned mode only; pollers are billed) [default: 1:3]",
  },
  'print-policy': {
    type: 'boolean',
    to: 'printPolicy',
    default: false,
    describe: 'Print the IAM policy the function needs (for --topic-name) and exit',
  },
});

export const deployCommand = defineCommand({
  command: 'deploy',
  describe:
    'Create or update (idempotently) the SNS topic and the processing Lambda function: the reference handler, or your code with --code',
  flags: deployFlags,
  help: (y) =>
    y
      .example('$0 deploy --endpoint-url http://127.0.0.1:4566', 'the reference pipeline on the local stack')
      .example(
        '$0 deploy --function-name my-fn --code my-fn/dist',
        'your function (init lambda, npm run build)',
      )
      .example(
        '$0 deploy --kafka-bootstrap-servers 127.0.0.1:9092 --endpoint-url http://127.0.0.1:4566',
        'and wire it to Kafka with an event source mapping (the local stack runs it)',
      )
      .example('AWS_PROFILE=prod $0 deploy --role-arn arn:aws:iam::123456789012:role/flights', 'real AWS')
      .epilogue(
        [
          'deploy never replaces code it did not build: a function is tagged opensky-stream:code=reference',
          '(the reference handler) or =custom (your --code). Without --code it updates only a reference function;',
          'with --code, only a function deployed by opensky-stream. Anything else: exit 2 unless --force.',
          `Exit codes: ${ExitCode.OK} deployed; ${ExitCode.USAGE} bad flags, or a function whose code is not deploy's to`,
          `replace; ${ExitCode.FAILURE} an AWS call failed.`,
        ].join('\n'),
      ),
});
