import { InvokeCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { deployTestFunction, lambdaClient, type TestFunction } from '../support/lambda-fixtures.ts';
import { subscribeQueue } from '../support/sqs.ts';

const echoHandler = `
import type { Context } from 'aws-lambda';
export const handler = async (event: { fail?: string }, context: Context) => {
  console.log('got event', JSON.stringify(event));
  if (event.fail) throw new TypeError('asked to fail: ' + event.fail);
  return {
    echo: event,
    greeting: process.env.GREETING ?? null,
    env: {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      region: process.env.AWS_REGION,
      endpoint: process.env.AWS_ENDPOINT_URL,
      taskRootSet: Boolean(process.env.LAMBDA_TASK_ROOT),
      handler: process.env._HANDLER,
    },
    context: {
      awsRequestId: context.awsRequestId,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      memoryLimitInMB: String(context.memoryLimitInMB),
      invokedFunctionArn: context.invokedFunctionArn,
      logGroupName: context.logGroupName,
      remaining: context.getRemainingTimeInMillis(),
    },
  };
};`;

describe('stack: Lambda runtime behind the Invoke API', () => {
  const lambda = lambdaClient();
  let fn: TestFunction;

  beforeAll(async () => {
    fn = await deployTestFunction(uniqueName('stack-fn'), echoHandler, {
      env: { GREETING: 'hello' },
      memorySize: 256,
      timeout: 10,
    });
  });
  afterAll(async () => {
    await fn?.dispose();
  });

  it('runs the bundled handler and returns its result, with its environment and context', async () => {
    const { output, result, log } = await fn.invoke({ n: 1 }, { tail: true });
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    const body = result as {
      echo: unknown;
      greeting: string;
      env: Record<string, unknown>;
      context: Record<string, unknown> & { remaining: number; awsRequestId: string };
    };
    expect(body.echo).toEqual({ n: 1 });
    expect(body.greeting).toBe('hello');
    expect(body.env).toEqual({
      functionName: fn.name,
      version: '$LATEST',
      memory: '256',
      region: 'us-east-1',
      endpoint: awsClientConfig().endpoint,
      taskRootSet: true,
      handler: 'index.handler',
    });
    expect(body.context).toMatchObject({
      functionName: fn.name,
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      logGroupName: `/aws/lambda/${fn.name}`,
    });
    expect(body.context.awsRequestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(body.context.invokedFunctionArn).toMatch(
      new RegExp(`^arn:aws:lambda:us-east-1:\\d{12}:function:${fn.name}$`),
    );
    expect(body.context.remaining).toBeGreaterThan(0);
    expect(body.context.remaining).toBeLessThanOrEqual(10_000);
    // LogType Tail: the invocation's own log lines, with the request id.
    expect(log).toContain('got event {"n":1}');
    expect(log).toContain(`RequestId: ${body.context.awsRequestId}`);
  });

  it('reports a thrown error as an Unhandled function error with type and message', async () => {
    const { output, result } = await fn.invoke({ fail: 'yes' });
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(result).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail: yes' });
    expect((result as { trace: string[] }).trace[0]).toBe('TypeError: asked to fail: yes');
  });

  it('accepts the function ARN, and $LATEST as qualifier', async () => {
    const byArn = await lambda.send(new InvokeCommand({ FunctionName: fn.arn, Payload: '{"n":2}' }));
    expect(JSON.parse(Buffer.from(byArn.Payload!).toString()).echo).toEqual({ n: 2 });
    const qualified = await lambda.send(
      new InvokeCommand({ FunctionName: fn.name, Qualifier: '$LATEST', Payload: '{"n":3}' }),
    );
    expect(JSON.parse(Buffer.from(qualified.Payload!).toString()).echo).toEqual({ n: 3 });
  });

  it('answers Event with 202 and DryRun with 204', async () => {
    const event = await lambda.send(
      new InvokeCommand({ FunctionName: fn.name, InvocationType: 'Event', Payload: '{"n":4}' }),
    );
    expect(event.StatusCode).toBe(202);
    const dryRun = await lambda.send(new InvokeCommand({ FunctionName: fn.name, InvocationType: 'DryRun' }));
    expect(dryRun.StatusCode).toBe(204);
  });

  it('runs new environment variables after UpdateFunctionConfiguration', async () => {
    await fn.updateEnv({ GREETING: 'servus' });
    const { result } = await fn.invoke({});
    expect((result as { greeting: string }).greeting).toBe('servus');
  });

  it('runs new code after UpdateFunctionCode', async () => {
    await fn.updateCode(
      'export const handler = async (event: { n: number }) => ({ version: 2, n: event.n });',
    );
    const { output, result } = await fn.invoke({ n: 5 });
    expect(output.FunctionError).toBeUndefined();
    expect(result).toEqual({ version: 2, n: 5 });
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    const missing = uniqueName('missing');
    const error = await lambda.send(new InvokeCommand({ FunctionName: missing })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).message).toMatch(
      new RegExp(`^Function not found: arn:aws:lambda:us-east-1:\\d{12}:function:${missing}$`),
    );
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
  });

  it('stops an invocation at the function timeout with a Sandbox.Timedout error', async () => {
    const slow = await deployTestFunction(
      uniqueName('stack-fn-slow'),
      'export const handler = async (event: { ms: number }) => { await new Promise((r) => setTimeout(r, event.ms)); return "done"; };',
      { timeout: 1 },
    );
    try {
      const { output, result } = await slow.invoke({ ms: 5000 });
      expect(output.FunctionError).toBe('Unhandled');
      expect(result).toMatchObject({ errorType: 'Sandbox.Timedout' });
      expect((result as { errorMessage: string }).errorMessage).toMatch(
        /Task timed out after 1\.00 seconds$/,
      );
      // The environment is reset, and the next invocation runs normally.
      expect((await slow.invoke({ ms: 1 })).result).toBe('done');
    } finally {
      await slow.dispose();
    }
  });

  it("sends the handler's own SNS calls to the local endpoint", async () => {
    const sns = new SNSClient(awsClientConfig());
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('stack-fn-topic') })))
      .TopicArn!;
    const queue = await subscribeQueue(topicArn);
    const publisher = await deployTestFunction(
      uniqueName('stack-fn-sns'),
      `import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
       const sns = new SNSClient({});
       export const handler = async (event: { country: string }) => {
         const { MessageId } = await sns.send(new PublishCommand({
           TopicArn: process.env.TOPIC_ARN,
           Message: JSON.stringify(event),
           MessageAttributes: { origin_country: { DataType: 'String', StringValue: event.country } },
         }));
         return MessageId;
       };`,
      { env: { TOPIC_ARN: topicArn } },
    );
    try {
      const { output, result } = await publisher.invoke({ country: 'Austria' });
      expect(output.FunctionError).toBeUndefined();
      const [message] = await queue.receive(1);
      expect(message?.MessageId).toBeDefined();
      expect(JSON.parse(message!.Body!)).toEqual({ country: 'Austria' });
      expect(message!.MessageAttributes?.origin_country?.StringValue).toBe('Austria');
      expect(typeof result).toBe('string');
    } finally {
      await publisher.dispose();
      await queue.close();
      await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    }
  });
});
