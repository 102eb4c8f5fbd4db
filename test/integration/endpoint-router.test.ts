/**
 * createRouter owns all of the endpoint's state: two endpoints built in one
 * process, in front of the stack's moto, keep their own functions, warm
 * environments and request counts, and each closes on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoToken } from '../../src/stack/aws.ts';
import { createRouter, type Router } from '../../src/stack/endpoint/router.ts';
import { rieBinary, runtimeClient } from '../../src/stack/endpoint.ts';
import { stackConfig } from '../../src/stack/lib.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { deployTestFunction, type TestFunction } from '../support/lambda-fixtures.ts';
import { freePort } from '../support/metrics-endpoint.ts';

const echo =
  'export const handler = async (event) => ({ echo: event, fn: process.env.AWS_LAMBDA_FUNCTION_NAME });';

interface Health {
  functions: string[];
  warm: Record<string, number>;
  requests: Record<string, number>;
}

const health = async (router: Router): Promise<Health> =>
  (await (await fetch(`http://127.0.0.1:${router.options.port}/_stack/health`)).json()) as Health;

describe('createRouter: endpoints with no shared state', () => {
  const shared = stackConfig();
  const runDirs: string[] = [];
  const routers: Router[] = [];
  const functions: TestFunction[] = [];
  const quiet = () => undefined;

  beforeAll(async () => {
    const { client, entry } = runtimeClient(shared);
    for (let i = 0; i < 2; i++) {
      const runDir = mkdtempSync(join(tmpdir(), 'oss-endpoint-router-'));
      runDirs.push(runDir);
      const router = createRouter(
        {
          port: await freePort(),
          motoPort: shared.motoPort,
          motoToken: motoToken(shared),
          runDir,
          codeDir: join(runDir, 'code'),
          rieBinary: rieBinary(shared),
          runtimeEntry: entry,
          runtimeClient: client,
        },
        quiet,
      );
      routers.push(router);
      await router.start();
    }
    for (const router of routers) {
      functions.push(
        await deployTestFunction(uniqueName('own-router'), echo, {
          endpoint: `http://127.0.0.1:${router.options.port}`,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const fn of functions) await fn.dispose();
    await Promise.all(routers.map((router) => router.close()));
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('each runs the functions deployed through it, and knows no other', async () => {
    const [a, b] = routers as [Router, Router];
    const [fnA, fnB] = functions as [TestFunction, TestFunction];
    const { result } = await fnA.invoke({ n: 1 });
    expect(result).toEqual({ echo: { n: 1 }, fn: fnA.name });
    // moto knows fnB (the control plane is shared); endpoint A never recorded it.
    const lambdaA = new LambdaClient({
      ...awsClientConfig(),
      endpoint: `http://127.0.0.1:${a.options.port}`,
    });
    await expect(
      lambdaA.send(new InvokeCommand({ FunctionName: fnB.name, Payload: '{}' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const [healthA, healthB] = [await health(a), await health(b)];
    expect(healthA.functions).toEqual([fnA.name]);
    expect(healthB.functions).toEqual([fnB.name]);
    expect(healthA.warm).toEqual({ [`${fnA.name}:$LATEST`]: 1 });
    expect(healthB.warm).toEqual({});
    expect(healthA.requests['lambda:invoke']).toBe(2);
    expect(healthB.requests['lambda:invoke']).toBeUndefined();
  });

  it('closes one endpoint while the other keeps serving', async () => {
    const [a, b] = routers as [Router, Router];
    await functions[0]!.dispose();
    await a.close();
    await a.close(); // idempotent
    await expect(fetch(`http://127.0.0.1:${a.options.port}/_stack/health`)).rejects.toThrow();
    expect((await health(b)).functions).toEqual([functions[1]!.name]);
    const { result } = await functions[1]!.invoke({ n: 2 });
    expect(result).toEqual({ echo: { n: 2 }, fn: functions[1]!.name });
  });
});
