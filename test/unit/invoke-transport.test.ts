import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestTimeoutError, signPost } from '../../src/aws/signed-http.ts';
import { invokeOnce, ProcessingResult } from '../../src/bridge/invoke.ts';
import { restInvokeTransport, restJsonError, sdkInvokeTransport } from '../../src/bridge/invoke-transport.ts';

/** A server that records each request and answers as Lambda's Invoke does (status, headers, body). */
async function recordingServer() {
  const requests: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
  let answer: { status: number; headers: Record<string, string>; body: string } = {
    status: 200,
    headers: {},
    body: '{"ok":true}',
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answerWith: (next: typeof answer) => {
      answer = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const signatureOf = (authorization: string | undefined) =>
  /Signature=([0-9a-f]{64})/.exec(authorization ?? '')?.[1];

describe('restInvokeTransport: Invoke as the SDK sends it', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  let lambda: LambdaClient;
  beforeAll(async () => {
    server = await recordingServer();
    lambda = new LambdaClient({
      endpoint: server.endpoint,
      region: 'eu-west-1',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    lambda.destroy();
    await server.close();
  });

  // An ARN with a qualifier: ':' and '$' are encoded in the path, and encoded again when signed.
  for (const functionName of ['plain-fn', 'arn:aws:lambda:eu-west-1:000000000000:function:my_fn:$LATEST']) {
    it(`requests the SDK's path, signed as the SDK signs it: ${functionName}`, async () => {
      server.answerWith({ status: 200, headers: {}, body: '{"ok":true}' });
      const payload = Buffer.from('{"records":{"t-0":[{"value":"eyJhIjoxfQ=="}]}}');
      await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
      const sdk = server.requests.at(-1)!;
      const transport = restInvokeTransport(lambda);
      try {
        const answer = await transport.invoke(functionName, payload, 5000);
        expect(answer).toEqual({ functionError: undefined, payload: '{"ok":true}' });
      } finally {
        transport.destroy();
      }
      const ours = server.requests.at(-1)!;
      expect(ours.path).toBe(sdk.path);
      expect(ours.body.equals(payload)).toBe(true);

      // Our signer, given the SDK's signed headers and time, must reach the SDK's signature: the
      // canonical path (double-encoded) and the body hash agree.
      const signed = /SignedHeaders=([^,]+)/.exec(String(sdk.headers.authorization))![1]!.split(';');
      const headers = Object.fromEntries(
        signed
          .filter((name) => name !== 'host' && name !== 'x-amz-date')
          .map((name) => [name, String(sdk.headers[name])]),
      );
      const amzDate = String(sdk.headers['x-amz-date']);
      const date = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      );
      const again = signPost({
        url: new URL(server.endpoint),
        path: sdk.path,
        body: payload,
        headers,
        service: 'lambda',
        region: 'eu-west-1',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        },
        date,
      });
      expect(signatureOf(again.authorization)).toBe(signatureOf(String(sdk.headers.authorization)));
      // Our own request carries a signature of the same scope.
      expect(String(ours.headers.authorization)).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request, /,
      );
    });
  }

  it("reads the function's error as the SDK does: FunctionError and the error as the payload", async () => {
    const body = '{"errorType":"TypeError","errorMessage":"bad"}';
    server.answerWith({ status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body });
    const sdk = await lambda.send(new InvokeCommand({ FunctionName: 'f', Payload: Buffer.from('{}') }));
    const transport = restInvokeTransport(lambda);
    try {
      const answer = await transport.invoke('f', Buffer.from('{}'), 5000);
      expect(answer).toEqual({
        functionError: sdk.FunctionError,
        payload: Buffer.from(sdk.Payload!).toString('utf8'),
      });
      expect(answer.functionError).toBe('Unhandled');
    } finally {
      transport.destroy();
    }
  });

  it("rejects an error answer with the SDK's error name, status and message", async () => {
    const cases: Array<{ status: number; headers: Record<string, string>; body: string }> = [
      {
        status: 404,
        headers: { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/coral/' },
        body: '{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:000000000000:function:f"}',
      },
      {
        status: 429,
        headers: {},
        body: '{"__type":"com.amazon#TooManyRequestsException","message":"Rate exceeded"}',
      },
      { status: 502, headers: {}, body: 'Bad Gateway' },
    ];
    for (const answer of cases) {
      server.answerWith(answer);
      const sdk = (await lambda
        .send(new InvokeCommand({ FunctionName: 'f', Payload: Buffer.from('{}') }))
        .catch((e: unknown) => e)) as {
        name: string;
        message: string;
        $metadata: { httpStatusCode: number };
      };
      const transport = restInvokeTransport(lambda);
      const ours = (await transport
        .invoke('f', Buffer.from('{}'), 5000)
        .catch((e: unknown) => e)) as typeof sdk;
      transport.destroy();
      expect(ours.$metadata.httpStatusCode).toBe(sdk.$metadata.httpStatusCode);
      if (answer.status !== 502) {
        expect(ours.name).toBe(sdk.name);
        expect(ours.message).toBe(sdk.message);
      }
    }
  });
});

describe('an Invoke with no answer in time', () => {
  it('rejects with RequestTimeoutError on either transport, which the poller reads as a timeout', async () => {
    // A server that takes requests and never answers.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const lambda = new LambdaClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const transports = [restInvokeTransport(lambda), sdkInvokeTransport(lambda)];
    try {
      for (const transport of transports) {
        await expect(transport.invoke('f', Buffer.from('{}'), 100)).rejects.toBeInstanceOf(
          RequestTimeoutError,
        );
        const record = {
          topic: 't',
          partition: 0,
          offset: '7',
          timestamp: '0',
          key: null,
          value: Buffer.from('{}'),
        };
        const outcome = await invokeOnce(transport, [record], {
          functionName: 'f',
          bootstrapServers: ['b:9092'],
          reportBatchItemFailures: true,
          timeoutMs: 100,
        });
        expect(outcome).toMatchObject({ kind: 'not-invoked', result: ProcessingResult.TIMEOUT });
        expect((outcome as { error: Error }).error.message).toBe('Invoke timed out after 100 ms');
      }
    } finally {
      for (const transport of transports) transport.destroy();
      lambda.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('restJsonError', () => {
  it('takes the code from x-amzn-ErrorType first, then code, then __type, else the status', () => {
    expect(
      restJsonError({
        status: 409,
        headers: { 'x-amzn-errortype': 'ResourceConflictException' },
        body: '{"code":"Other","message":"busy"}',
      }),
    ).toMatchObject({ name: 'ResourceConflictException', message: 'busy', $fault: 'client' });
    expect(
      restJsonError({ status: 400, body: '{"code":"InvalidParameterValueException","Message":"m"}' }),
    ).toMatchObject({ name: 'InvalidParameterValueException', message: 'm' });
    expect(restJsonError({ status: 503, body: '' })).toMatchObject({
      name: 'HTTP503',
      message: 'HTTP 503',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
  });
});
