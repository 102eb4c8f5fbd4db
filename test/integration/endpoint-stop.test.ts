/**
 * Stopping the local AWS endpoint while a function runs. What a caller gets
 * for an invocation in flight must be true: the function's own answer, or an
 * error it retries. Never a success the function did not give: RIE answers an
 * invocation cut by SIGTERM with HTTP 200 and an empty body, which Lambda's
 * callers (an event source mapping with ReportBatchItemFailures among them)
 * read as "every record succeeded". So the router is stopped alone, refuses
 * new invocations, lets those in flight end (up to five seconds), and only
 * then kills its environments, with SIGKILL. And an empty answer from an
 * environment that exits right after it (RIE reset by a signal from elsewhere)
 * is an error for the caller.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../src/stack/lib.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { deployTestFunction, lambdaClient } from '../support/lambda-fixtures.ts';
import { type OwnEndpoint, startOwnEndpoint } from '../support/own-endpoint.ts';

// Marks that it started (so the stop comes while it runs), then answers after `ms`.
const slowHandler = `
import { writeFileSync } from 'node:fs';
export const handler = async (event) => {
  writeFileSync(event.mark, 'started');
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return { done: true, ms: event.ms };
};`;

type Answer = { status?: number; error?: string; payload?: string; functionError?: string };

describe('stopping the AWS endpoint while a function runs', () => {
  let endpoint: OwnEndpoint | undefined;
  const names: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'oss-endpoint-stop-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await endpoint?.dispose();
    endpoint = undefined;
    // The function lives on in moto, which the stack's endpoint fronts.
    for (const name of names.splice(0))
      await lambdaClient()
        .send(new DeleteFunctionCommand({ FunctionName: name }))
        .catch(() => undefined);
  });

  /** Invoke `ms` long on a new endpoint, stop the endpoint once the function started; what the caller got. */
  async function stopDuring(ms: number): Promise<{ answer: Answer; refused: Answer }> {
    endpoint = await startOwnEndpoint();
    const name = uniqueName('endpoint-stop');
    names.push(name);
    await deployTestFunction(name, slowHandler, { endpoint: endpoint.url, timeout: 60 });
    // One attempt: an SDK retry would hide what the endpoint answered.
    const lambda = new LambdaClient({ ...awsClientConfig(), endpoint: endpoint.url, maxAttempts: 1 });
    const invoke = (payload: object): Promise<Answer> =>
      lambda
        .send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }))
        .then(
          (out) => ({
            status: out.StatusCode,
            payload: out.Payload ? Buffer.from(out.Payload).toString('utf8') : '',
            ...(out.FunctionError ? { functionError: out.FunctionError } : {}),
          }),
          (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
            error: error.name,
            status: error.$metadata?.httpStatusCode,
          }),
        );
    const mark = join(dir, `${name}.started`);
    const running = invoke({ mark, ms });
    for (let i = 0; i < 600 && !existsSync(mark); i++) await sleep(50);
    expect(existsSync(mark), 'the function did not start').toBe(true);
    const own = endpoint;
    endpoint = undefined;
    const stopped = own.dispose();
    // Once the endpoint is stopping, a new invocation is refused (or finds nothing listening).
    await sleep(200);
    const refused = await invoke({ mark: join(dir, `${name}.late`), ms: 1 });
    const answer = await running;
    await stopped;
    return { answer, refused };
  }

  it("an invocation in flight gets the function's own answer", async () => {
    const { answer, refused } = await stopDuring(1500);
    expect(answer).toEqual({ status: 200, payload: JSON.stringify({ done: true, ms: 1500 }) });
    expect(refused.status === 200, JSON.stringify(refused)).toBe(false);
    expect(refused.error).toBeDefined();
  }, 60_000);

  it('an invocation longer than the drain fails; it is never answered as a success', async () => {
    const { answer } = await stopDuring(30_000);
    expect(answer.status === 200, JSON.stringify(answer)).toBe(false);
    expect(answer.error).toBeDefined();
  }, 60_000);
});

// What RIE does when a signal resets it mid-invocation (internal/lambda/rie/handlers.go: the
// reset's ErrReleaseReservationDone counts as success, nothing was written, then os.Exit(0)):
// an empty 200, then the process ends. FAKE_RIE_STAYS keeps it running (a runtime that really
// answered with an empty body). A stand-in, since the real race cannot be brought about at will.
const fakeRie = `
import { createServer } from 'node:http';
const address = process.argv[process.argv.indexOf('--runtime-interface-emulator-address') + 1];
const [host, port] = address.split(':');
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.on('finish', () => {
      if (!process.env.FAKE_RIE_STAYS) process.exit(0);
    });
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
}).listen(Number(port), host);
`;

describe('an execution environment that answers empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oss-fake-rie-'));
  const bin = join(dir, 'aws-lambda-rie');
  writeFileSync(bin, `#!${process.execPath}\n${fakeRie}`);
  chmodSync(bin, 0o755);
  let endpoint: OwnEndpoint | undefined;
  const names: string[] = [];

  afterAll(async () => {
    await endpoint?.dispose();
    for (const name of names)
      await lambdaClient()
        .send(new DeleteFunctionCommand({ FunctionName: name }))
        .catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function invokeOn(env: Record<string, string>) {
    endpoint ??= await startOwnEndpoint({ ROUTER_RIE_BIN: bin });
    const name = uniqueName('empty-answer');
    names.push(name);
    await deployTestFunction(name, 'export const handler = async () => ({});', {
      endpoint: endpoint.url,
      env,
    });
    const lambda = new LambdaClient({ ...awsClientConfig(), endpoint: endpoint.url, maxAttempts: 1 });
    return lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') })).then(
      (out) => ({ status: out.StatusCode, payload: Buffer.from(out.Payload ?? []).toString('utf8') }),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
        status: error.$metadata?.httpStatusCode,
        error: error.name,
        message: error.message,
      }),
    );
  }

  it('and exits: the caller gets a ServiceException, not a success', async () => {
    const answer = await invokeOn({});
    expect(answer).toMatchObject({ status: 502, error: 'ServiceException' });
    expect((answer as { message: string }).message).toMatch(/stopped during the invocation/);
  }, 60_000);

  it("and goes on running: the empty answer is the function's, passed on", async () => {
    expect(await invokeOn({ FAKE_RIE_STAYS: '1' })).toEqual({ status: 200, payload: '' });
  }, 60_000);
});
