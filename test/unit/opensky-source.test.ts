import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ConfigError } from '../../src/errors.ts';
import {
  creditCost,
  loadOpenSkyCredentials,
  OpenSkySource,
  type OpenSkySourceOptions,
  pacedIntervalMs,
  type Snapshot,
} from '../../src/opensky/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { type OpenSkyTestServer, type ScriptedReply, startOpenSkyServer } from '../support/opensky-server.ts';

const snapshot = (time: number, aircraft = 3) => ({ body: generateSnapshot({ aircraft, time, seed: time }) });

let server: OpenSkyTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function collect(options: OpenSkySourceOptions & { replies?: ScriptedReply[] }, count: number) {
  server ??= await startOpenSkyServer({ replies: options.replies });
  const source = new OpenSkySource({
    baseUrl: server.baseUrl,
    intervalMs: 100,
    retry: { baseMs: 1 },
    maxSnapshots: count,
    ...options,
  });
  const got: Snapshot[] = [];
  for await (const s of source) got.push(s);
  return { got, source, server };
}

describe('Class: OpenSkySource', () => {
  it('polls, parses and yields snapshots with the query in the URL', async () => {
    const { got, server } = await collect(
      {
        replies: [snapshot(100), snapshot(110)],
        bbox: { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 },
        icao24: ['4b1816', '4b1817'],
        extended: true,
      },
      2,
    );
    expect(got.map((s) => [s.time, s.states.length])).toEqual([
      [100, 3],
      [110, 3],
    ]);
    const url = new URL(server.requests[0]!.url, 'http://x');
    expect(
      Object.fromEntries(
        ['lamin', 'lomin', 'lamax', 'lomax', 'extended'].map((k) => [k, url.searchParams.get(k)]),
      ),
    ).toEqual({
      lamin: '45.8',
      lomin: '5.9',
      lamax: '47.8',
      lomax: '10.5',
      extended: '1',
    });
    expect(url.searchParams.getAll('icao24')).toEqual(['4b1816', '4b1817']);
    expect(server.requests[0]!.authorization).toBeUndefined();
  });

  it('does not emit a snapshot twice when its time did not advance', async () => {
    const { got, source } = await collect(
      { replies: [snapshot(100), snapshot(100), snapshot(100), snapshot(120)] },
      2,
    );
    expect(got.map((s) => s.time)).toEqual([100, 120]);
    expect(source.stats.unchanged).toBe(2);
  });

  it('treats states: null as no aircraft', async () => {
    const { got } = await collect({ replies: [{ body: { time: 5, states: null } }] }, 1);
    expect(got[0]).toMatchObject({ time: 5, states: [] });
  });

  it('retries 5xx and skips malformed JSON, schema errors and bad rows, counting each', async () => {
    const good = generateSnapshot({ aircraft: 4, time: 300 });
    const { got, source } = await collect(
      {
        replies: [
          { status: 503, body: 'busy' },
          { status: 502, body: 'bad gateway' },
          { body: '{"time": 200, "states": [' }, // truncated JSON
          { body: { states: [] } }, // no time
          { body: { time: 300, states: [...good.states!, ['short']] } },
        ],
      },
      1,
    );
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ time: 300, skippedRows: 1 });
    expect(got[0]!.states).toHaveLength(4);
    expect(source.stats).toMatchObject({ retries: 2, malformed: 2, skippedRows: 1 });
  });

  it('gives up a tick after the retry limit and carries on at the next one', async () => {
    const { got, source } = await collect(
      { retry: { limit: 1, baseMs: 1 }, replies: [{ status: 500 }, { status: 500 }, snapshot(42)] },
      1,
    );
    expect(got.map((s) => s.time)).toEqual([42]);
    expect(source.stats.failures).toBe(1);
  });

  it('times out a slow request and retries', async () => {
    const { got, source } = await collect(
      { requestTimeoutMs: 100, replies: [{ ...snapshot(1), delayMs: 1000 }, snapshot(2)] },
      1,
    );
    expect(got.map((s) => s.time)).toEqual([2]);
    expect(source.stats.retries).toBe(1);
  });

  it('waits X-Rate-Limit-Retry-After-Seconds on 429 and tracks X-Rate-Limit-Remaining', async () => {
    const { got, source, server } = await collect(
      {
        replies: [
          { status: 429, headers: { 'x-rate-limit-retry-after-seconds': '1' } },
          { ...snapshot(9), headers: { 'x-rate-limit-remaining': '321' } },
        ],
      },
      1,
    );
    expect(got.map((s) => s.time)).toEqual([9]);
    expect(source.stats.rateLimited).toBe(1);
    expect(source.stats.creditsRemaining).toBe(321);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('follows redirects', async () => {
    server = await startOpenSkyServer({ replies: [snapshot(77)] });
    const source = new OpenSkySource({
      baseUrl: server.baseUrl.replace('/api', '/old/api'),
      maxSnapshots: 1,
    });
    const got: Snapshot[] = [];
    for await (const s of source) got.push(s);
    expect(got.map((s) => s.time)).toEqual([77]);
  });

  it('sends a bearer token, refreshes it once on 401, and fails on a second 401', async () => {
    server = await startOpenSkyServer({
      reply: (n, req) =>
        req.headers.authorization === 'Bearer token-1'
          ? { status: 401 }
          : n < 3
            ? snapshot(10 + n)
            : { status: 401 },
      token: { value: (n) => `token-${n}` },
    });
    const source = new OpenSkySource({
      baseUrl: server.baseUrl,
      intervalMs: 100,
      credentials: { clientId: 'me', clientSecret: 's3cret', tokenUrl: server.tokenUrl },
    });
    const got: Snapshot[] = [];
    await expect(
      (async () => {
        for await (const s of source) got.push(s);
      })(),
    ).rejects.toBeInstanceOf(AuthError);
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(server.tokenRequests[0]).toEqual({
      grant_type: 'client_credentials',
      client_id: 'me',
      client_secret: 's3cret',
    });
    expect(server.requests[1]!.authorization).toBe('Bearer token-2');
  });

  it('retries the token request on 5xx, a dropped connection and a timeout, like data requests', async () => {
    server = await startOpenSkyServer({
      replies: [snapshot(5)],
      token: {
        value: (n) => `token-${n}`,
        replies: [{ status: 503, body: 'unavailable' }, { destroy: true }, { delayMs: 1000, body: {} }],
      },
    });
    const source = new OpenSkySource({
      baseUrl: server.baseUrl,
      intervalMs: 100,
      retry: { baseMs: 1 },
      requestTimeoutMs: 200,
      maxSnapshots: 1,
      credentials: { clientId: 'me', clientSecret: 's3cret', tokenUrl: server.tokenUrl },
    });
    const got: Snapshot[] = [];
    for await (const s of source) got.push(s);
    expect(got.map((s) => s.time)).toEqual([5]);
    expect(server.tokenRequests).toHaveLength(4);
    expect(source.stats.retries).toBe(3);
    expect(server.requests[0]!.authorization).toBe('Bearer token-4');
  });

  it('fails at once, naming the credentials, when the token endpoint answers invalid_client', async () => {
    for (const status of [400, 401]) {
      const tokenServer = await startOpenSkyServer({
        replies: [snapshot(1)],
        token: { value: () => 'x', status },
      });
      const source = new OpenSkySource({
        baseUrl: tokenServer.baseUrl,
        retry: { baseMs: 1 },
        credentials: { clientId: 'me', clientSecret: 's3cret', tokenUrl: tokenServer.tokenUrl },
      });
      const error = await (async () => {
        try {
          for await (const _ of source) break;
        } catch (caught) {
          return caught as AuthError;
        }
      })();
      await tokenServer.close();
      expect(error).toBeInstanceOf(AuthError);
      expect(error!.retryable).toBe(false);
      expect(error!.message).toMatch(/HTTP \d+ \(check the client id and secret\)/);
      expect(tokenServer.tokenRequests).toHaveLength(1);
      expect(tokenServer.requests).toHaveLength(0);
    }
  });

  it('never puts the client secret in an error message', async () => {
    server = await startOpenSkyServer({ replies: [snapshot(1)], token: { value: () => 'x', status: 401 } });
    const source = new OpenSkySource({
      baseUrl: server.baseUrl,
      credentials: { clientId: 'me', clientSecret: 'TOPSECRET', tokenUrl: server.tokenUrl },
    });
    const error = await (async () => {
      try {
        for await (const _ of source) break;
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(AuthError);
    expect(`${error!.message} ${JSON.stringify(error)}`).not.toContain('TOPSECRET');
  });

  it('keeps a fixed schedule: slow responses do not cause two requests in flight', async () => {
    server = await startOpenSkyServer({ reply: (n) => ({ ...snapshot(n + 1), delayMs: 150 }) });
    const source = new OpenSkySource({ baseUrl: server.baseUrl, intervalMs: 100, maxSnapshots: 3 });
    for await (const _ of source) {
      // drain
    }
    const starts = server.requests.map((r) => r.at);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(140);
    expect(source.stats.missedTicks).toBeGreaterThan(0);
  });

  it('stops when aborted', async () => {
    server = await startOpenSkyServer({ reply: (n) => snapshot(n + 1) });
    const controller = new AbortController();
    const source = new OpenSkySource({ baseUrl: server.baseUrl, intervalMs: 100, signal: controller.signal });
    let count = 0;
    for await (const _ of source) {
      if (++count === 2) controller.abort();
    }
    expect(count).toBe(2);
  });

  it('skips a response whose time lies ahead of the clock, so it cannot silence the later ones (regression: one future time made every later snapshot "unchanged")', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { got, source } = await collect(
      { replies: [snapshot(now + 3600), snapshot(now - 20), snapshot(now - 10)] },
      2,
    );
    expect(got.map((s) => s.time)).toEqual([now - 20, now - 10]);
    expect(source.stats).toMatchObject({ futureTime: 1, unchanged: 0 });
  });

  it('does not count a response from the future as a success, so readiness turns red', async () => {
    server = await startOpenSkyServer({ replies: [snapshot(Math.floor(Date.now() / 1000) + 3600)] });
    const source = new OpenSkySource({ baseUrl: server.baseUrl, intervalMs: 100 });
    const got: Snapshot[] = [];
    setTimeout(() => source.stop(), 350);
    for await (const s of source) got.push(s);
    expect(got).toEqual([]);
    expect(source.stats.futureTime).toBeGreaterThanOrEqual(2);
    expect(source.stats.lastSuccessAt).toBeUndefined();
  });

  it('retries a token response cut short mid-body instead of ending (regression: the read was outside the retry)', async () => {
    server = await startOpenSkyServer({
      replies: [snapshot(5)],
      token: {
        value: (n) => `token-${n}`,
        replies: [{ body: { access_token: 'token-cut', expires_in: 1800 }, truncateAt: 10 }],
      },
    });
    const { got, source } = await collect(
      {
        // cross-fetch (node-fetch 2) notices a body cut short only when the request times out
        requestTimeoutMs: 300,
        credentials: { clientId: 'me', clientSecret: 's3cret', tokenUrl: server.tokenUrl },
      },
      1,
    );
    expect(got.map((s) => s.time)).toEqual([5]);
    expect(server.tokenRequests).toHaveLength(2);
    expect(source.stats.retries).toBe(1);
    expect(server.requests[0]!.authorization).toBe('Bearer token-2');
  });

  it('abandons a response larger than maxResponseBytes, counted, and goes on', async () => {
    const { got, source } = await collect(
      { maxResponseBytes: 4096, replies: [snapshot(10, 100), snapshot(20, 2)] },
      1,
    );
    expect(got.map((s) => s.time)).toEqual([20]);
    expect(source.stats.oversized).toBe(1);
  });

  it('skips a row with a string field longer than maxFieldLength, counted with its reason', async () => {
    const good = generateSnapshot({ aircraft: 3, time: 40 });
    const huge = [...good.states![0]!];
    huge[1] = 'X'.repeat(300_000); // the callsign
    const { got, source } = await collect(
      { replies: [{ body: { time: 40, states: [...good.states!, huge] } }] },
      1,
    );
    expect(got[0]!.states).toHaveLength(3);
    expect(got[0]!.skippedRows).toBe(1);
    expect(source.stats.skippedRows).toBe(1);
  });

  it('validates its options, naming the option', () => {
    expect(() => new OpenSkySource({ intervalMs: 5 })).toThrow(/\/options\/intervalMs/);
    expect(() => new OpenSkySource({ bbox: { lamin: 50, lomin: 0, lamax: 40, lomax: 10 } })).toThrow(
      ConfigError,
    );
    expect(() => new OpenSkySource({ bbox: { lamin: 0, lomin: 170, lamax: 10, lomax: -170 } })).toThrow(
      /±180/,
    );
    expect(() => new OpenSkySource({ icao24: ['XYZ'] })).toThrow(/\/options\/icao24/);
    expect(() => new OpenSkySource({ maxResponseBytes: 10 })).toThrow(/\/options\/maxResponseBytes/);
    expect(() => new OpenSkySource({ retry: { baseMs: 500, maxDelayMs: 100 } })).toThrow(
      /\/options\/retry\/maxDelayMs must be an integer ≥ baseMs/,
    );
    expect(() => new OpenSkySource({ retry: -1 })).toThrow(/\/options\/retry\/limit must be an integer ≥ 0/);
  });
});

describe('Credits', () => {
  it('costs 1 to 4 credits by box area', () => {
    expect(creditCost({ lamin: 0, lomin: 0, lamax: 5, lomax: 5 })).toBe(1);
    expect(creditCost({ lamin: 0, lomin: 0, lamax: 10, lomax: 10 })).toBe(2);
    expect(creditCost({ lamin: 0, lomin: 0, lamax: 20, lomax: 20 })).toBe(3);
    expect(creditCost({ lamin: 0, lomin: 0, lamax: 20, lomax: 20.1 })).toBe(4);
    expect(creditCost()).toBe(4);
  });

  it('paces requests so the remaining credits last the period', () => {
    // 400 credits, 4 per call, 10 hours left → one call every 6 minutes.
    expect(
      pacedIntervalMs({ minIntervalMs: 3000, cost: 4, remainingCredits: 400, remainingMs: 36_000_000 }),
    ).toBe(360_000);
    expect(
      pacedIntervalMs({ minIntervalMs: 3000, cost: 1, remainingCredits: 1_000_000, remainingMs: 1000 }),
    ).toBe(3000);
  });

  it('warns at start when the interval would exhaust the allowance early', async () => {
    server = await startOpenSkyServer({ replies: [snapshot(1)] });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const source = new OpenSkySource({ baseUrl: server.baseUrl, maxSnapshots: 1, logger });
    for await (const _ of source) {
      // drain
    }
    expect(warnings.some((w) => w.includes('credit allowance'))).toBe(true);
  });
});

describe('Function: loadOpenSkyCredentials', () => {
  it("reads OpenSky's credentials.json, or the environment", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cred-')), 'credentials.json');
    writeFileSync(file, JSON.stringify({ clientId: 'a', clientSecret: 'b' }));
    expect(loadOpenSkyCredentials({ file, env: {} })).toMatchObject({ clientId: 'a', clientSecret: 'b' });
    expect(
      loadOpenSkyCredentials({ env: { OPENSKY_CLIENT_ID: 'c', OPENSKY_CLIENT_SECRET: 'd' } }),
    ).toMatchObject({
      clientId: 'c',
      clientSecret: 'd',
    });
    expect(loadOpenSkyCredentials({ env: {} })).toBeUndefined();
    expect(() => loadOpenSkyCredentials({ env: { OPENSKY_CLIENT_ID: 'c' } })).toThrow(ConfigError);
  });
});
