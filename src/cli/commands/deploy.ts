import type { CommandModule } from 'yargs';
import { codePackage, missingHandlerModule } from '../../deploy/code.ts';
import { deployPipelineResources, functionPolicy } from '../../deploy/deploy.ts';
import {
  ensureKafkaEventSourceMapping,
  type KafkaTriggerOptions,
} from '../../deploy/event-source-mapping.ts';
import { ConfigError } from '../../errors.ts';
import { createKafkaClient, ensureTopic } from '../../kafka/client.ts';
import type { LogLevel } from '../../logger.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients } from '../config.ts';
import { awsOptions, envOption, functionNameOption, logOptions, topicNameOption } from '../options.ts';
import { cliLogger, ExitCode } from '../runtime.ts';

const splitList = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** The Kafka trigger asked for (`--kafka-bootstrap-servers` or `--msk-cluster-arn`), or none. */
function triggerOptions(
  argv: Record<string, unknown>,
): Omit<KafkaTriggerOptions, 'functionName'> | undefined {
  const servers = splitList(argv['kafka-bootstrap-servers']);
  const msk = argv['msk-cluster-arn'] as string | undefined;
  if (servers.length === 0 && !msk) {
    for (const flag of ['starting-position', 'batch-size', 'consumer-group-id', 'dead-letter-topic'])
      if (argv[flag] !== undefined)
        throw new ConfigError(`--${flag}`, 'goes with --kafka-bootstrap-servers or --msk-cluster-arn');
    return undefined;
  }
  if (servers.length > 0 && msk)
    throw new ConfigError('--msk-cluster-arn', 'give it or --kafka-bootstrap-servers, not both');
  const pollers = String(argv['provisioned-pollers'] ?? '1:3');
  const match = /^(\d+):(\d+)$/.exec(pollers);
  if (pollers !== 'off' && (!match || Number(match[1]) < 1 || Number(match[2]) < Number(match[1])))
    throw new ConfigError(
      '--provisioned-pollers',
      `must be MIN:MAX (1 ≤ MIN ≤ MAX) or off, got '${pollers}'`,
    );
  const dlq = argv['dead-letter-topic'] as string | undefined;
  return {
    topic: String(argv.topic),
    ...(msk ? { mskClusterArn: msk } : { bootstrapServers: servers }),
    ...(argv['starting-position'] ? { startingPosition: argv['starting-position'] as 'LATEST' } : {}),
    ...(argv['batch-size'] !== undefined ? { batchSize: Number(argv['batch-size']) } : {}),
    ...(argv['consumer-group-id'] ? { consumerGroupId: String(argv['consumer-group-id']) } : {}),
    ...(dlq !== undefined ? { deadLetterTopic: dlq === 'off' ? null : dlq } : {}),
    provisionedPollers: match ? { minimum: Number(match[1]), maximum: Number(match[2]) } : null,
  };
}

/** The code to deploy: yours (`--code`) with its handler, or the reference handler's bundle. */
function userCode(argv: Record<string, unknown>) {
  const path = argv.code as string | undefined;
  const handler = argv.handler as string | undefined;
  if (path === undefined || path === '') {
    if (handler !== undefined)
      throw new ConfigError('--handler', 'goes with --code (the reference handler is index.handler)');
    return undefined;
  }
  const code = codePackage(path);
  const chosen = handler ?? code.handler;
  if (chosen === undefined) {
    throw new ConfigError(
      '--handler',
      `is needed: ${path} has no index.mjs, index.js or index.cjs (nor one module at its root) to default to`,
    );
  }
  // Only Node.js handlers name a module file; other runtimes resolve handlers their own way.
  const missing = String(argv.runtime).startsWith('nodejs')
    ? missingHandlerModule(chosen, code.files)
    : undefined;
  if (missing) throw new ConfigError('--handler', `${chosen} ${missing}`);
  return { zip: code.zip, handler: chosen };
}

export const deployCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'deploy',
  describe:
    'Create or update (idempotently) the SNS topic and the processing Lambda function: the reference handler, or your code with --code',
  builder: (y) =>
    y
      .options({
        ...awsOptions(env),
        ...logOptions(env),
        ...functionNameOption(env),
        ...topicNameOption(env),
      })
      .options({
        code: {
          type: 'string',
          describe:
            'Your function: a .zip, a directory (zipped as it is), or one .js/.mjs/.cjs file (zipped under its name)',
        },
        handler: {
          type: 'string',
          describe:
            'Handler, file.export (default with --code: index.handler for index.mjs/.js/.cjs in the package)',
        },
        force: {
          type: 'boolean',
          default: false,
          describe:
            "Replace a function's code even when deploy did not build it (your --code, or a function it never deployed)",
        },
        'role-arn': envOption(env, 'LAMBDA_ROLE_ARN', {
          type: 'string',
          describe:
            'Execution role; when absent the role opensky-stream-lambda is created (needs iam:CreateRole)',
        }),
        runtime: {
          type: 'string',
          default: 'nodejs22.x',
          describe:
            'Lambda runtime (the local stack runs nodejsN.x on its own Node.js and python3.N on a Python of that version; others are refused)',
        },
        timeout: { type: 'number', default: 30, describe: 'Function timeout, seconds (1–900)' },
        memory: { type: 'number', default: 256, describe: 'Function memory, MB (128–10240)' },
        'kafka-bootstrap-servers': envOption(env, 'KAFKA_BOOTSTRAP_SERVERS', {
          type: 'string',
          group: 'Kafka trigger (event source mapping):',
          describe:
            'Wire the function to Kafka: create or update its event source mapping for these brokers (host:port, comma-separated), as AWS runs it',
        }),
        'msk-cluster-arn': {
          type: 'string',
          group: 'Kafka trigger (event source mapping):',
          describe: 'Wire the function to an Amazon MSK cluster instead (its ARN; AWS only)',
        },
        topic: envOption(env, 'KAFKA_TOPIC', {
          type: 'string',
          default: 'aviation-data',
          group: 'Kafka trigger (event source mapping):',
          describe: 'The topic the mapping consumes (deploy creates it when it can reach the brokers)',
        }),
        'starting-position': {
          type: 'string',
          choices: ['LATEST', 'TRIM_HORIZON'],
          group: 'Kafka trigger (event source mapping):',
          describe:
            'Where a new mapping starts (create-only) [default: TRIM_HORIZON: nothing produced before is skipped]',
        },
        'batch-size': {
          type: 'number',
          group: 'Kafka trigger (event source mapping):',
          describe: 'Records per invocation, 1–10000 [default: 500]',
        },
        'consumer-group-id': {
          type: 'string',
          group: 'Kafka trigger (event source mapping):',
          describe: "The mapping's consumer group (create-only) [default: AWS's, the mapping's UUID]",
        },
        'dead-letter-topic': {
          type: 'string',
          group: 'Kafka trigger (event source mapping):',
          describe: 'On-failure destination topic (kafka://…), or off [default: <topic>-dlq]',
        },
        'provisioned-pollers': {
          type: 'string',
          group: 'Kafka trigger (event source mapping):',
          describe:
            "Provisioned mode's pollers MIN:MAX, or off for on-demand mode (AWS offers retries, partial batch responses and on-failure destinations for Kafka in provisioned mode only; pollers are billed) [default: 1:3]",
        },
        'print-policy': {
          type: 'boolean',
          default: false,
          describe: 'Print the IAM policy the function needs (for --topic-name) and exit',
        },
      })
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
  handler: async (argv) => {
    if (argv['print-policy']) {
      const topic = `arn:aws:sns:<region>:<account>:${String(argv['topic-name'])}`;
      console.log(JSON.stringify(functionPolicy(topic), null, 2));
      return;
    }
    const code = userCode(argv);
    const trigger = triggerOptions(argv);
    const logger = cliLogger(argv['log-level'] as LogLevel, 'deploy');
    const clients = awsClients(argv, env);
    const result = await deployPipelineResources({
      functionName: String(argv['function-name']),
      topicName: String(argv['topic-name']),
      roleArn: argv['role-arn'] as string | undefined,
      runtime: String(argv.runtime),
      timeout: Number(argv.timeout),
      memorySize: Number(argv.memory),
      zip: code?.zip,
      handler: code?.handler,
      force: Boolean(argv.force),
      lambda: clients.lambda,
      sns: clients.sns,
      iam: clients.iam,
      logger,
    });
    if (!trigger) {
      console.log(JSON.stringify(result, null, 2));
      exit.code = ExitCode.OK;
      return;
    }
    if (trigger.bootstrapServers) {
      // The topic the mapping consumes, with the pipeline's partitions; brokers deploy cannot reach
      // (a private cluster) are the mapping's business, not a reason to fail.
      const kafka = createKafkaClient(
        { brokers: [...trigger.bootstrapServers], connectionTimeoutMs: 5000, requestTimeoutMs: 10_000 },
        logger,
      );
      await ensureTopic(kafka, { topic: String(trigger.topic) }, logger).catch((error: unknown) =>
        logger.warn('could not create the topic (the mapping waits for it)', {
          topic: trigger.topic,
          error: (error as Error).message,
        }),
      );
    }
    const mapping = await ensureKafkaEventSourceMapping({
      functionName: result.functionName,
      ...trigger,
      lambda: clients.lambda,
      logger,
    });
    console.log(JSON.stringify({ ...result, eventSourceMapping: mapping }, null, 2));
    exit.code = ExitCode.OK;
  },
});
