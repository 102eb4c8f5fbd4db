import type { CommandModule } from 'yargs';
import { codePackage, missingHandlerModule } from '../../deploy/code.ts';
import { deployPipelineResources, functionPolicy } from '../../deploy/deploy.ts';
import { ConfigError } from '../../errors.ts';
import type { LogLevel } from '../../logger.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients } from '../config.ts';
import { awsOptions, envOption, functionNameOption, logOptions, topicNameOption } from '../options.ts';
import { cliLogger, ExitCode } from '../runtime.ts';

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
          describe: 'Lambda runtime (the local stack runs every nodejs runtime on its own Node.js)',
        },
        timeout: { type: 'number', default: 30, describe: 'Function timeout, seconds (1–900)' },
        memory: { type: 'number', default: 256, describe: 'Function memory, MB (128–10240)' },
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
    console.log(JSON.stringify(result, null, 2));
    exit.code = ExitCode.OK;
  },
});
