/**
 * Python functions on the local stack, deployed as the seed's users deploy them (the AWS SDK,
 * and `awslocal lambda create-function --runtime python3.12 --handler
 * event_processor.lambda_handler`): run by AWS's Python runtime client (awslambdaric) on a
 * Python of the runtime's version, with Lambda's environment, their output in the log and
 * boto3 reaching the stack's SNS. Runtimes the stack cannot run are refused at CreateFunction
 * and UpdateFunctionConfiguration with AWS's InvalidParameterValueException.
 * Powertools' BatchProcessor behind Kafka: python-powertools.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionLog } from '../../src/deploy/function-logs.ts';
import { type PackageFiles, zipPackage } from '../../src/deploy/index.ts';
import { runningStackRunDir } from '../../src/stack/logs.ts';
import { awsClientConfig, awsEndpoint, uniqueName } from '../support/env.ts';
import { invokeJson, lambdaClient, lambdaRoleArn } from '../support/lambda-fixtures.ts';
import { deployPythonFunction } from '../support/python-functions.ts';
import { PYTHON_TOOLS, type PythonTools, pythonTools } from '../support/python-tools.ts';
import { subscribeQueue } from '../support/sqs.ts';

// What the function sees of its runtime: version, paths, Lambda's variables, the context.
const plainHandler = `
import json, logging, os, sys
import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

def lambda_handler(event, context):
    print("event", json.dumps(event))
    print("to stderr", context.aws_request_id, file=sys.stderr)
    logger.info("logged through the runtime's handler")
    if event.get("fail"):
        raise ValueError("asked to fail")
    names = ["LAMBDA_TASK_ROOT", "_HANDLER", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION",
             "PYTHONPATH", "AWS_ENDPOINT_URL", "TZ"]
    return {
        "version": "%d.%d" % sys.version_info[:2],
        "env": {name: os.environ.get(name) for name in names},
        "path0": sys.path[0],
        "cwd": os.getcwd(),
        "boto3": boto3.__version__,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
    }
`;

// boto3 as users write it: a client from the environment (AWS_ENDPOINT_URL is the stack's).
const publishingHandler = `
import json, os
import boto3

sns = boto3.client("sns")

def lambda_handler(event, context):
    answer = sns.publish(
        TopicArn=os.environ["TOPIC_ARN"],
        Message=json.dumps({"requestId": context.aws_request_id, "event": event}),
        MessageAttributes={"runtime": {"DataType": "String", "StringValue": os.environ["AWS_EXECUTION_ENV"]}},
    )
    return {"messageId": answer["MessageId"]}
`;

const lambda = lambdaClient();

describe('Python functions on the local stack', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const dir = mkdtempSync(join(tmpdir(), 'python-runtime-'));
  let tools: PythonTools;

  beforeAll(async () => {
    tools = await pythonTools();
  });
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const deploy = async (runtime: string, files: PackageFiles, env: Record<string, string> = {}) => {
    const fn = await deployPythonFunction(runtime, files, env);
    cleanups.push(() => fn.dispose());
    return fn.name;
  };

  it.each(['python3.12', 'python3.13'])(
    '%s runs on its own Python with the environment Lambda sets, its output in the log',
    async (runtime) => {
      const name = await deploy(runtime, { 'event_processor.py': plainHandler });
      const { output, result, log } = await invokeJson(lambda, name, { hello: 'world' }, { tail: true });
      expect(output.FunctionError).toBeUndefined();
      const answer = result as Record<string, unknown> & { env: Record<string, string>; cwd: string };
      expect(answer).toMatchObject({
        version: runtime.slice('python'.length),
        boto3: PYTHON_TOOLS.boto3,
        functionName: name,
        memory: '256',
        env: {
          _HANDLER: 'event_processor.lambda_handler',
          AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
          AWS_LAMBDA_FUNCTION_NAME: name,
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: awsEndpoint(),
          TZ: ':UTC',
        },
      });
      // The code folder comes first on the search path, as /var/task does on AWS.
      expect(answer.env.LAMBDA_TASK_ROOT).toBe(answer.cwd);
      expect(answer.env.PYTHONPATH).toBe(answer.cwd);
      expect(answer.path0).toBe(answer.cwd);
      expect(answer.remaining).toBeGreaterThan(0);
      expect(answer.remaining).toBeLessThanOrEqual(30_000);
      expect(log).toContain('event {"hello": "world"}');
      expect(log).toContain(`to stderr ${answer.requestId}`);
      // The endpoint keeps the function's output, stdout and stderr, in its log file (`logs` reads it).
      const file = localFunctionLog((await runningStackRunDir(awsEndpoint()))!, name);
      const kept = readFileSync(file, 'utf8');
      expect(kept).toContain(`START RequestId: ${answer.requestId}`);
      expect(kept).toContain('event {"hello": "world"}');
      expect(kept).toContain(`to stderr ${answer.requestId}`);
      expect(log).toMatch(
        new RegExp(`\\[INFO\\]\\t\\S+\\t${answer.requestId}\\tlogged through the runtime's handler`),
      );
    },
  );

  it("answers a raised exception and a missing module as Lambda's Python runtime does", async () => {
    const name = await deploy('python3.12', { 'event_processor.py': plainHandler });
    const failed = await invokeJson(lambda, name, { fail: true });
    expect(failed.output.FunctionError).toBe('Unhandled');
    expect(failed.result).toMatchObject({ errorType: 'ValueError', errorMessage: 'asked to fail' });
    expect((failed.result as { stackTrace: string[] }).stackTrace.join('')).toContain('event_processor.py');

    const missing = await deploy('python3.12', { 'other.py': 'x = 1\n' });
    const broken = await invokeJson(lambda, missing, {});
    expect(broken.output.FunctionError).toBe('Unhandled');
    expect(broken.result).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Unable to import module 'event_processor': No module named 'event_processor'",
    });
  });

  it("publishes to the stack's SNS with the runtime's boto3", async () => {
    const sns = new SNSClient(awsClientConfig());
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('py-topic') }))).TopicArn!;
    cleanups.push(() => sns.send(new DeleteTopicCommand({ TopicArn: topicArn })));
    const queue = await subscribeQueue(topicArn, { raw: false });
    cleanups.push(() => queue.close());
    const name = await deploy(
      'python3.13',
      { 'event_processor.py': publishingHandler },
      { TOPIC_ARN: topicArn },
    );

    const { output, result } = await invokeJson(lambda, name, { icao24: 'abc123' });
    expect(output.FunctionError).toBeUndefined();
    const [message] = await queue.receive(1, 30_000);
    const notification = JSON.parse(message!.Body!) as {
      MessageId: string;
      Message: string;
      MessageAttributes: Record<string, { Value: string }>;
    };
    expect(notification.MessageId).toBe((result as { messageId: string }).messageId);
    expect(JSON.parse(notification.Message)).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event: { icao24: 'abc123' },
    });
    expect(notification.MessageAttributes.runtime?.Value).toBe('AWS_Lambda_python3.13');
  });

  it('deploys and invokes with the AWS CLI (awslocal), as the seed does', async () => {
    const zip = join(dir, 'function.zip');
    writeFileSync(zip, zipPackage({ 'event_processor.py': plainHandler }));
    const name = uniqueName('py-cli');
    const awslocal = (args: string[]) =>
      promisify(execFile)(tools.bin('awslocal'), args, {
        env: {
          ...process.env,
          PATH: `${join(tools.dir, 'bin')}:${process.env.PATH ?? ''}`,
          LOCALSTACK_HOST: new URL(awsEndpoint()).host,
          DISABLE_DEPRECATION_NOTICE: '1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
        },
        timeout: 60_000,
      });
    const role = await lambdaRoleArn();
    const created = await awslocal(
      `lambda create-function --function-name ${name} --runtime python3.12 --handler event_processor.lambda_handler --zip-file fileb://${zip} --role ${role} --output json`.split(
        ' ',
      ),
    );
    cleanups.push(() => awslocal(['lambda', 'delete-function', '--function-name', name]));
    expect(JSON.parse(created.stdout)).toMatchObject({
      Runtime: 'python3.12',
      Handler: 'event_processor.lambda_handler',
    });

    const out = join(dir, 'out.json');
    await awslocal(`lambda invoke --function-name ${name} --payload {"from":"cli"} ${out}`.split(' '));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ version: '3.12', functionName: name });

    const refused = await awslocal(
      `lambda create-function --function-name ${uniqueName('java')} --runtime java21 --handler example.Handler::handleRequest --zip-file fileb://${zip} --role ${role}`.split(
        ' ',
      ),
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(refused?.code).toBe(255);
    expect(refused?.stderr).toContain(
      '(InvalidParameterValueException) when calling the CreateFunction operation',
    );
    expect(refused?.stderr).toContain('java21');
  });

  /** The SDK error a call fails with. */
  async function failure(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
    }
    throw new Error('expected the call to fail');
  }

  it("refuses runtimes it cannot run at CreateFunction and UpdateFunctionConfiguration, with AWS's error", async () => {
    const create = (runtime: string) =>
      failure(
        (async () =>
          lambda.send(
            new CreateFunctionCommand({
              FunctionName: uniqueName('refused'),
              Runtime: runtime as never,
              Role: await lambdaRoleArn(),
              Handler: 'index.handler',
              Code: { ZipFile: zipPackage({ 'index.py': '' }) },
            }),
          ))(),
      );
    for (const runtime of ['java21', 'ruby3.3', 'provided.al2023']) {
      const refused = await create(runtime);
      expect(refused).toMatchObject({ name: 'InvalidParameterValueException', status: 400 });
      expect(refused.message).toContain(
        `The runtime parameter of ${runtime} is not supported by this local stack`,
      );
      expect(refused.message).toContain('python3.12');
    }
    expect(await create('python3.8')).toEqual({
      name: 'InvalidParameterValueException',
      status: 400,
      message:
        'The runtime parameter of python3.8 is no longer supported for creating or updating AWS Lambda functions. ' +
        'We recommend you use a supported runtime while creating or updating functions.',
    });

    const name = await deploy('python3.12', { 'event_processor.py': plainHandler });
    const update = await failure(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: 'ruby3.3' })),
    );
    expect(update).toMatchObject({ name: 'InvalidParameterValueException', status: 400 });
    // Nothing changed: the function keeps its runtime and still runs.
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Runtime).toBe(
      'python3.12',
    );
    expect((await invokeJson(lambda, name, {})).result).toMatchObject({ version: '3.12' });
    // A supported one is accepted, and the next Invoke runs it.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: 'python3.13' }));
    expect((await invokeJson(lambda, name, {})).result).toMatchObject({ version: '3.13' });
  });
});
