import { InvokeCommand, LogType, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { deployTestFunction, lambdaClient, updateTestFunction } from '../support/lambda.ts';
import { subscribeQueue } from '../support/sqs.ts';

const echoHandler = `
export const handler = async (event, context) => {
  console.log('got event', JSON.stringify(event));
  if (event.fail) throw new TypeError('asked to fail: ' + event.fail);
  return {
    echo: event,
    greeting: process.env.GREETING,
    functionName: context.functionName,
    requestId: context.awsRequestId,
    remainingPositive: context.getRemainingTimeInMillis() > 0,
  };
};`;

const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

describe('stack: Lambda runtime behind the Invoke API', () => {
  const lambda = lambdaClient();
  const name = uniqueName('stack-fn');
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    cleanup = await deployTestFunction(name, echoHandler, { env: { GREETING: 'hello' } });
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('runs the bundled handler and returns its result, with its environment and context', async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ n: 1 }), LogType: LogType.Tail }),
    );
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBeUndefined();
    const body = decode(answer.Payload);
    expect(body).toMatchObject({
      echo: { n: 1 },
      greeting: 'hello',
      functionName: name,
      remainingPositive: true,
    });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(answer.LogResult ?? '', 'base64').toString()).toContain('got event');
  });

  it('reports a thrown error as an Unhandled function error with type and message', async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ fail: 'yes' }) }),
    );
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    expect(decode(answer.Payload)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'asked to fail: yes',
    });
  });

  it('accepts the function ARN as the name', async () => {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    const answer = await lambda.send(new InvokeCommand({ FunctionName: arn, Payload: '{"n":2}' }));
    expect(decode(answer.Payload).echo).toEqual({ n: 2 });
  });

  it('runs new code after UpdateFunctionCode', async () => {
    await updateTestFunction(name, 'export const handler = async () => ({ version: 2 });');
    const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
    expect(decode(answer.Payload)).toEqual({ version: 2 });
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: uniqueName('missing') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("sends the handler's own SNS calls to the local endpoint", async () => {
    const sns = new SNSClient(awsClientConfig());
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('stack-fn-topic') })))
      .TopicArn!;
    const queue = await subscribeQueue(topicArn);
    const publisher = uniqueName('stack-fn-sns');
    const dispose = await deployTestFunction(
      publisher,
      `import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
       const sns = new SNSClient({});
       export const handler = async (event) => {
         await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify(event),
           MessageAttributes: { origin_country: { DataType: 'String', StringValue: event.country } } }));
         return 'sent';
       };`,
      { env: { TOPIC_ARN: topicArn } },
    );
    try {
      const answer = await lambda.send(
        new InvokeCommand({ FunctionName: publisher, Payload: JSON.stringify({ country: 'Austria' }) }),
      );
      expect(answer.FunctionError).toBeUndefined();
      const [message] = await queue.receive(1);
      expect(JSON.parse(message!.Body!)).toEqual({ country: 'Austria' });
      expect(message!.MessageAttributes?.origin_country?.StringValue).toBe('Austria');
    } finally {
      await dispose();
      await queue.close();
      await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    }
  });
});
