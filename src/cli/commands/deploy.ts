import type { CommandModule } from 'yargs';
import { deployPipelineResources, functionPolicy } from '../../deploy/deploy.ts';
import type { LogLevel } from '../../logger.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients } from '../config.ts';
import { awsOptions, envOption, logOptions } from '../options.ts';
import { cliLogger, ExitCode } from '../runtime.ts';

export const deployCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'deploy',
  describe: 'Create or update (idempotently) the SNS topic and the processing Lambda function',
  builder: (y) =>
    y
      .options({ ...awsOptions(env), ...logOptions(env) })
      .options({
        'function-name': envOption(env, 'LAMBDA_FUNCTION_NAME', {
          type: 'string',
          describe: 'Function name',
          default: 'opensky-stream-processor',
        }),
        'topic-name': envOption(env, 'SNS_TOPIC_NAME', {
          type: 'string',
          describe: 'SNS topic',
          default: 'FlightNotifications',
        }),
        'role-arn': envOption(env, 'LAMBDA_ROLE_ARN', {
          type: 'string',
          describe:
            'Execution role; when absent the role opensky-stream-lambda is created (needs iam:CreateRole)',
        }),
        runtime: { type: 'string', default: 'nodejs22.x', describe: 'Lambda runtime' },
        timeout: { type: 'number', default: 30, describe: 'Function timeout, seconds' },
        memory: { type: 'number', default: 256, describe: 'Function memory, MB' },
        'print-policy': {
          type: 'boolean',
          default: false,
          describe: 'Print the IAM policy the function needs and exit',
        },
      })
      .example('$0 deploy --endpoint-url http://127.0.0.1:4566', 'the local stack (or LocalStack)')
      .example('AWS_PROFILE=prod $0 deploy --role-arn arn:aws:iam::123456789012:role/flights', 'real AWS'),
  handler: async (argv) => {
    if (argv['print-policy']) {
      console.log(
        JSON.stringify(functionPolicy('arn:aws:sns:<region>:<account>:FlightNotifications'), null, 2),
      );
      return;
    }
    const logger = cliLogger(argv['log-level'] as LogLevel, 'deploy');
    const clients = awsClients(argv, env);
    const result = await deployPipelineResources({
      functionName: String(argv['function-name']),
      topicName: String(argv['topic-name']),
      roleArn: argv['role-arn'] as string | undefined,
      runtime: String(argv.runtime),
      timeout: Number(argv.timeout),
      memorySize: Number(argv.memory),
      lambda: clients.lambda,
      sns: clients.sns,
      iam: clients.iam,
      logger,
    });
    console.log(JSON.stringify(result, null, 2));
    exit.code = ExitCode.OK;
  },
});
