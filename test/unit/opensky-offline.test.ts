/**
 * Offline, the source says once that there is no network and what works instead
 * (`--synthetic N`, `--replay FILE`), rather than warning about every retry for ever.
 * The host names end in `.invalid`, which never resolves (RFC 6761): real DNS failures.
 */
import crossFetch from 'cross-fetch';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.ts';
import { OpenSkySource, type Snapshot } from '../../src/opensky/index.ts';
import { dnsFailureCode } from '../../src/opensky/offline.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { type OpenSkyTestServer, startOpenSkyServer } from '../support/opensky-server.ts';

const OFFLINE = 'http://opensky-stream-test.invalid/api';

/** A logger that keeps what is logged at warn and above, and counts debug lines. */
function recordingLogger() {
  const warnings: string[] = [];
  let debug = 0;
  const logger: Logger = {
    debug: () => {
      debug++;
    },
    info() {},
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
  return { logger, warnings, debugLines: () => debug };
}

let server: OpenSkyTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Class: OpenSkySource, offline', () => {
  it('says once, over several ticks of retries, that the host does not resolve and what works offline', async () => {
    const { logger, warnings, debugLines } = recordingLogger();
    const controller = new AbortController();
    const source = new OpenSkySource({
      baseUrl: OFFLINE,
      intervalMs: 100,
      budget: 'off',
      retry: { limit: 2, baseMs: 1 },
      signal: controller.signal,
      logger,
    });
    // Act: three ticks, each a request and two retries, all failing at the DNS lookup.
    const polling = (async () => {
      for await (const _ of source) expect.unreachable('no snapshot can arrive offline');
    })();
    while (source.stats.failures < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await polling;

    expect(source.stats.requests).toBeGreaterThanOrEqual(9);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^no network: cannot resolve opensky-stream-test\.invalid \((ENOTFOUND|EAI_AGAIN)\)/,
    );
    expect(warnings[0]).toContain('--synthetic N');
    expect(warnings[0]).toContain('--replay FILE');
    expect(debugLines()).toBeGreaterThanOrEqual(8);
  });

  it('says it again after the network came back and went away once more', async () => {
    server = await startOpenSkyServer({
      reply: (n) => ({ body: generateSnapshot({ aircraft: 2, time: 100 + n }) }),
    });
    const live = server.baseUrl;
    const { logger, warnings } = recordingLogger();
    // Requests 1-2 fail at DNS, 3 reaches the server, 4-5 fail again, then the server answers.
    let calls = 0;
    const fetch = ((url: string, init: RequestInit) => {
      calls++;
      const offline = calls <= 2 || calls === 4 || calls === 5;
      return crossFetch(offline ? url.replace(live, OFFLINE) : url, init);
    }) as typeof globalThis.fetch;
    const source = new OpenSkySource({
      baseUrl: live,
      intervalMs: 100,
      budget: 'off',
      retry: { baseMs: 1 },
      maxSnapshots: 2,
      fetch,
      logger,
    });
    const got: Snapshot[] = [];
    for await (const snapshot of source) got.push(snapshot);

    expect(got).toHaveLength(2);
    expect(warnings.filter((w) => w.startsWith('no network'))).toHaveLength(2);
    expect(warnings.filter((w) => !w.startsWith('no network'))).toEqual([]);
  });

  it('warns about each failed request that is not a DNS failure, without the offline hint', async () => {
    const { logger, warnings } = recordingLogger();
    const controller = new AbortController();
    // A port nothing listens on: connection refused, a fault that may pass.
    const source = new OpenSkySource({
      baseUrl: 'http://127.0.0.1:9/api',
      intervalMs: 100,
      budget: 'off',
      retry: { limit: 1, baseMs: 1 },
      signal: controller.signal,
      logger,
    });
    const polling = (async () => {
      for await (const _ of source) expect.unreachable('nothing answers');
    })();
    while (source.stats.failures < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await polling;
    expect(warnings.filter((w) => w === 'request failed')).toHaveLength(2);
    expect(warnings.some((w) => w.includes('no network'))).toBe(false);
  });
});

describe('Function: dnsFailureCode', () => {
  it.each([
    [
      'node-fetch (cross-fetch): the code on the error',
      Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }),
      'ENOTFOUND',
    ],
    [
      "Node's fetch: the code on the cause",
      new TypeError('fetch failed', { cause: { code: 'EAI_AGAIN' } }),
      'EAI_AGAIN',
    ],
    [
      'wrapped once more',
      new Error('token request failed', {
        cause: new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }),
      }),
      'ENOTFOUND',
    ],
    ['connection refused', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), undefined],
    ['not an error', 'ENOTFOUND', undefined],
  ])('%s', (_, error, code) => {
    expect(dnsFailureCode(error)).toBe(code);
  });
});
