/**
 * The poller's two ways of sending an Invoke (its own signed REST-JSON request
 * and the SDK's `send`) give the same answers from the stack's real Lambda API:
 * the function's result, its error, and Lambda's own errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restInvokeTransport, sdkInvokeTransport } from '../../src/bridge/invoke-transport.ts';
import { uniqueName } from '../support/env.ts';
import { deployTestFunction, lambdaClient, type TestFunction } from '../support/lambda-fixtures.ts';

const handler = `
export const handler = async (event) => {
  if (event.fail) throw new RangeError('asked to fail: ' + event.fail);
  return { got: event, fn: process.env.AWS_LAMBDA_FUNCTION_NAME };
};`;

describe('Invoke transports against the stack', () => {
  const lambda = lambdaClient();
  const transports = { rest: restInvokeTransport(lambda), sdk: sdkInvokeTransport(lambda) };
  let fn: TestFunction;
  beforeAll(async () => {
    fn = await deployTestFunction(uniqueName('transport-fn'), handler);
  });
  afterAll(async () => {
    transports.rest.destroy();
    await fn?.dispose();
    lambda.destroy();
  });

  const invokeBoth = async (name: string, event: unknown) => {
    const payload = Buffer.from(JSON.stringify(event));
    const settle = (p: Promise<unknown>) =>
      p.then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      );
    return {
      rest: await settle(transports.rest.invoke(name, payload, 10_000)),
      sdk: await settle(transports.sdk.invoke(name, payload, 10_000)),
    };
  };

  it("answers with the function's result, by name and by qualified ARN", async () => {
    for (const name of [fn.name, `${fn.arn}:$LATEST`]) {
      const { rest, sdk } = await invokeBoth(name, { n: 1, text: 'ü & %2F' });
      expect(rest).toEqual(sdk);
      expect(JSON.parse((rest as { answer: { payload: string } }).answer.payload)).toEqual({
        got: { n: 1, text: 'ü & %2F' },
        fn: fn.name,
      });
    }
  });

  it("answers with the function's error as FunctionError", async () => {
    const { rest, sdk } = await invokeBoth(fn.name, { fail: 'now' });
    const answer = (rest as { answer: { functionError: string; payload: string } }).answer;
    expect(answer.functionError).toBe('Unhandled');
    expect(JSON.parse(answer.payload)).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'asked to fail: now',
    });
    expect(JSON.parse((sdk as { answer: { payload: string } }).answer.payload)).toMatchObject({
      errorType: 'RangeError',
    });
  });

  it("rejects a missing function with Lambda's error, named as the SDK names it", async () => {
    const { rest, sdk } = await invokeBoth(uniqueName('no-such-fn'), {});
    type Rejected = { error: { name: string; message: string; $metadata: { httpStatusCode: number } } };
    expect((rest as Rejected).error).toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    expect((rest as Rejected).error.name).toBe((sdk as Rejected).error.name);
    expect((rest as Rejected).error.message).toBe((sdk as Rejected).error.message);
  });
});
