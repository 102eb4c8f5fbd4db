/**
 * What the local stack keeps to itself: a function never sees the AWS
 * credentials of the shell that started the stack, and no HTTP port the stack
 * opens (the AWS endpoint, moto behind it) serves a web page: foreign Origins
 * and their preflights are refused, moto answers nothing without the token only
 * the endpoint holds, and never with permissive CORS headers. Kafka's ports are
 * not HTTP and are left out.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoToken } from '../../src/stack/aws.ts';
import { MOTO_TOKEN_HEADER } from '../../src/stack/endpoint/protocol.ts';
import { stackConfig } from '../../src/stack/lib.ts';
import { awsEndpoint, uniqueName } from '../support/env.ts';
import { deployTestFunction, type TestFunction } from '../support/lambda-fixtures.ts';
import { type OwnEndpoint, startOwnEndpoint } from '../support/own-endpoint.ts';

const cfg = stackConfig();
const moto = `http://${cfg.host}:${cfg.motoPort}`;
const foreign = 'https://attacker.example';
const snsScope =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0';
const listTopics = {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: snsScope },
  body: 'Action=ListTopics&Version=2010-03-31',
};
/** A browser's CORS preflight for a JSON POST from `foreign`. */
const preflight = {
  method: 'OPTIONS',
  headers: {
    origin: foreign,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  },
};

/** Names of the CORS headers in an answer. */
function corsHeaders(answer: Response): string[] {
  const names: string[] = [];
  answer.headers.forEach((_, name) => {
    if (name.startsWith('access-control-')) names.push(name);
  });
  return names;
}

describe('stack security: credentials stay home', () => {
  const sentinel = {
    AWS_ACCESS_KEY_ID: `AKIA${uniqueName('sentinel').replace(/\W/g, '').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: uniqueName('sentinel-secret'),
    AWS_SESSION_TOKEN: uniqueName('sentinel-session'),
  };
  let endpoint: OwnEndpoint;
  let fn: TestFunction;

  beforeAll(async () => {
    // An endpoint started from a shell that holds real-looking credentials.
    endpoint = await startOwnEndpoint(sentinel);
    fn = await deployTestFunction(
      uniqueName('env-fn'),
      'export const handler = async () => ({ env: process.env });',
      { endpoint: endpoint.url },
    );
  }, 120_000);

  afterAll(async () => {
    await fn?.dispose();
    await endpoint?.dispose();
  });

  it("gives a function the stack's test credentials, never the launching shell's", async () => {
    const { result } = await fn.invoke({});
    const env = (result as { env: Record<string, string> }).env;
    expect(env.AWS_LAMBDA_FUNCTION_NAME).toBe(fn.name); // it is the function's own environment
    expect(env.AWS_ACCESS_KEY_ID).toBe('test');
    expect(env.AWS_SECRET_ACCESS_KEY).toBe('test');
    const everything = JSON.stringify(env);
    for (const secret of Object.values(sentinel)) expect(everything).not.toContain(secret);
  }, 60_000);
});

describe('stack security: no port serves a web page', () => {
  it('the AWS endpoint refuses a foreign Origin, its preflight, and what a page sends without one', async () => {
    const cross = await fetch(awsEndpoint(), {
      ...listTopics,
      headers: { ...listTopics.headers, origin: foreign },
    });
    expect(cross.status).toBe(403);
    const before = await fetch(`${awsEndpoint()}/2015-03-31/functions`, preflight);
    expect(before.status).toBe(403);
    expect(corsHeaders(before)).toEqual([]);
    // An image or a link on another site: no Origin on a GET, but fetch metadata says who made it.
    const image = await fetch(`${awsEndpoint()}/?Action=ListTopics`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    });
    expect(image.status).toBe(403);
    expect(await image.text()).toContain('another site');
  });

  it("the AWS endpoint does not pass moto's admin API on, even to a local client", async () => {
    for (const [method, path] of [
      ['POST', '/moto-api/reset'],
      ['GET', '/moto-api/'],
      ['GET', '/moto-api/data.json'],
    ] as const) {
      const answer = await fetch(`${awsEndpoint()}${path}`, { method });
      expect(answer.status, path).toBe(403);
      expect(await answer.text()).toContain("moto's admin API is not served");
    }
  });

  it('moto refuses a page: a foreign Origin, the preflight of /moto-api/reset, a simple POST', async () => {
    const before = await fetch(`${moto}/moto-api/reset`, preflight);
    expect(before.status).toBe(403);
    expect(corsHeaders(before)).toEqual([]);
    const reset = await fetch(`${moto}/moto-api/reset`, {
      method: 'POST',
      headers: { origin: foreign, 'content-type': 'text/plain' },
    });
    expect(reset.status).toBe(403);
    expect(corsHeaders(reset)).toEqual([]);
    const dashboard = await fetch(`${moto}/moto-api/`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(dashboard.status).toBe(403);
  });

  it('moto answers nothing without the stack token (another local user), and the token holder without CORS', async () => {
    const anonymous = await fetch(moto, listTopics);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('no valid token');
    const wrong = await fetch(moto, {
      ...listTopics,
      headers: { ...listTopics.headers, [MOTO_TOKEN_HEADER]: 'guess' },
    });
    expect(wrong.status).toBe(403);

    const token = motoToken(cfg);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    // Only the stack's user can read it.
    expect(statSync(join(cfg.runDir, 'moto.token')).mode & 0o777).toBe(0o600);
    const router = await fetch(moto, {
      ...listTopics,
      headers: { ...listTopics.headers, [MOTO_TOKEN_HEADER]: token!, origin: foreign },
    });
    expect(router.status).toBe(200);
    expect(await router.text()).toContain('ListTopicsResponse');
    // moto adds `Access-Control-Allow-Origin: <any origin>` by default: never here.
    expect(corsHeaders(router)).toEqual([]);
  });
});
