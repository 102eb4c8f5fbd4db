/**
 * FailoverSource over real ReadsbSources polling local fake receivers that
 * start failing (503, 403, 429, frozen data) and recover.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, OpenSkyHttpError } from '../../src/errors.ts';
import { ReadsbSource } from '../../src/readsb/source.ts';
import { FailoverSource, type SourcedSnapshot } from '../../src/sources/failover.ts';
import { resolveFailoverSourceOptions } from '../../src/sources/failover-options.ts';
import { classifyError, classifyStall } from '../../src/sources/health.ts';
import { aircraftRow, type ReadsbTestServer, startReadsbServer } from '../support/readsb-server.ts';

type Mode = 'ok' | 'unavailable' | 'forbidden' | 'rate-limited' | 'frozen';

/** A clock ten times faster than the wall's, so an interval of 100 ms sees a new second each poll. */
const fastNow = () => 1_700_000_000 + Math.floor(Date.now() / 100);

/** A receiver whose answers follow `mode`, its clock `offset` seconds off the fast clock. */
async function receiver(hex: string) {
  const state = { mode: 'ok' as Mode, offset: 0, frozenAt: 0 };
  const server = await startReadsbServer(() => {
    switch (state.mode) {
      case 'unavailable':
        return { status: 503, body: 'down' };
      case 'forbidden':
        return { status: 403, body: 'no' };
      case 'rate-limited':
        return { status: 429, headers: { 'retry-after': '0' }, body: 'slow down' };
      case 'frozen':
        state.frozenAt ||= fastNow() + state.offset;
        return { body: { now: state.frozenAt, aircraft: [aircraftRow(hex)] } };
      default:
        return { body: { now: fastNow() + state.offset, aircraft: [aircraftRow(hex)] } };
    }
  });
  return { state, server };
}

const INTERVAL = 100;
const servers: ReadsbTestServer[] = [];

function chain(urls: string[], names: string[]) {
  return new FailoverSource({
    intervalMs: INTERVAL,
    staleAfterMs: 400,
    probeEveryMs: 300,
    candidates: urls.map((url, i) => ({
      name: names[i]!,
      header: names[i]!,
      open: (signal: AbortSignal) =>
        new ReadsbSource({ url, intervalMs: INTERVAL, retry: { limit: 0 }, name: names[i]!, signal }),
    })),
  });
}

/** Pull snapshots, calling `step` with each, until it returns true (or 20 s pass: a failure). */
async function consume(
  source: FailoverSource,
  step: (s: SourcedSnapshot, all: SourcedSnapshot[]) => boolean,
) {
  const all: SourcedSnapshot[] = [];
  const guard = setTimeout(() => source.stop(), 20_000);
  try {
    for await (const snapshot of source) {
      all.push(snapshot);
      if (step(snapshot, all)) break;
    }
  } finally {
    clearTimeout(guard);
  }
  return all;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Class: FailoverSource', { timeout: 25_000 }, () => {
  it('leaves a source answering 503, polls the next, and returns when the first recovers', async () => {
    const primary = await receiver('3c6444');
    const backup = await receiver('a0b1c2');
    servers.push(primary.server, backup.server);
    const source = chain([primary.server.url, backup.server.url], ['primary', 'backup']);
    const switches: string[] = [];
    source.on('switch', (s) => switches.push(`${s.from}→${s.to}:${s.reason}`));
    let phase = 0;
    const all = await consume(source, (snapshot, seen) => {
      if (phase === 0 && seen.length >= 2) {
        primary.state.mode = 'unavailable';
        phase = 1;
      } else if (
        phase === 1 &&
        snapshot.candidate === 'backup' &&
        seen.filter((s) => s.candidate === 'backup').length >= 3
      ) {
        primary.state.mode = 'ok';
        phase = 2;
      }
      return phase === 2 && snapshot.candidate === 'primary';
    });
    expect(switches).toEqual(['primary→backup:blocked', 'backup→primary:recovered']);
    expect(all.map((s) => s.source)).toEqual(all.map((s) => s.candidate));
    expect(all.at(-1)?.states[0]?.icao24).toBe('3c6444');
    expect(all.some((s) => s.states[0]?.icao24 === 'a0b1c2')).toBe(true);
    expect(source.stats).toMatchObject({ active: 'primary', switches: 2 });
    expect(source.stats.sources.primary).toMatchObject({ left: { blocked: 1 }, recoveries: 1 });
    expect(source.stats.sources.backup).toMatchObject({ left: { recovered: 1 }, activations: 1 });
    expect(source.stats.sources.primary!.probes).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['forbidden', 'blocked'],
    ['rate-limited', 'exhausted'],
    ['frozen', 'stale'],
  ] as const)('leaves a source that turns %s, as %s', async (mode, reason) => {
    const primary = await receiver('3c6444');
    const backup = await receiver('a0b1c2');
    servers.push(primary.server, backup.server);
    const source = chain([primary.server.url, backup.server.url], ['primary', 'backup']);
    const switches: string[] = [];
    source.on('switch', (s) => switches.push(`${s.from}→${s.to}:${s.reason}`));
    await consume(source, (snapshot, seen) => {
      if (seen.length === 1) primary.state.mode = mode;
      return snapshot.candidate === 'backup';
    });
    expect(switches).toEqual([`primary→backup:${reason}`]);
    expect(source.stats.sources.primary!.left[reason]).toBe(1);
  });

  it('yields snapshots in time order across switches, and stops after maxSnapshots', async () => {
    const primary = await receiver('3c6444');
    const backup = await receiver('a0b1c2');
    // The backup's clock is behind: its first snapshots are older than what the primary sent.
    backup.state.offset = -3;
    servers.push(primary.server, backup.server);
    const source = new FailoverSource({
      intervalMs: INTERVAL,
      staleAfterMs: 300,
      probeEveryMs: 60_000,
      maxSnapshots: 8,
      candidates: [primary, backup].map(({ server }, i) => ({
        name: `r${i}`,
        open: (signal: AbortSignal) =>
          new ReadsbSource({ url: server.url, intervalMs: INTERVAL, retry: 0, signal }),
      })),
    });
    const all = await consume(source, (_, seen) => {
      if (seen.length === 2) primary.state.mode = 'unavailable';
      return false;
    });
    const times = all.map((s) => s.time);
    expect(all).toHaveLength(8);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    expect(all.at(-1)?.candidate).toBe('r1');
    expect(all[0]?.source).toBeUndefined();
  });

  it('wraps around a chain whose every source fails, without spinning', async () => {
    const only = await receiver('3c6444');
    only.state.mode = 'forbidden';
    servers.push(only.server);
    const source = chain([only.server.url], ['only']);
    const switches: string[] = [];
    source.on('switch', (s) => {
      switches.push(s.reason);
      if (switches.length === 2) only.state.mode = 'ok';
    });
    const all = await consume(source, () => true);
    expect(switches).toEqual(['blocked', 'blocked']);
    expect(all[0]?.candidate).toBe('only');
    // Each switch after a full round of failures waits an interval: a handful of requests, not thousands.
    expect(only.server.requests.length).toBeLessThan(10);
  });
});

describe('Function: resolveFailoverSourceOptions', () => {
  const candidate = (name: string) => ({ name, open: () => ({ async *[Symbol.asyncIterator]() {} }) });

  it('derives the stale and probe times from the interval', () => {
    expect(resolveFailoverSourceOptions({ candidates: [candidate('a')], intervalMs: 5000 })).toMatchObject({
      staleAfterMs: 15_000,
      probeEveryMs: 100_000,
    });
    expect(resolveFailoverSourceOptions({ candidates: [candidate('a')] })).toMatchObject({
      intervalMs: 3000,
      staleAfterMs: 9000,
      probeEveryMs: 60_000,
    });
  });

  it.each([
    [{ candidates: [] }, '/options/candidates'],
    [{ candidates: [candidate('a'), candidate('a')] }, '/options/candidates/1/name'],
    [{ candidates: [{ name: 'a' }] }, '/options/candidates/0/open'],
    [{ candidates: [candidate('a')], intervalMs: 0 }, '/options/intervalMs'],
    [{ candidates: [candidate('a')], intervalMs: 1000, staleAfterMs: 500 }, '/options/staleAfterMs'],
    [{ candidates: [candidate('a')], maxSnapshots: 0 }, '/options/maxSnapshots'],
  ])('names the bad option %#', (options, path) => {
    const error = (() => {
      try {
        resolveFailoverSourceOptions(options as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(path);
  });
});

describe('Function: classifyStall, classifyError', () => {
  const baseline = { rateLimited: 1, failures: 2 };
  it.each([
    [{ rateLimited: 2, failures: 2 }, 'exhausted'],
    [{ rateLimited: 1, failures: 2, creditsRemaining: 0 }, 'exhausted'],
    [{ rateLimited: 1, failures: 3 }, 'blocked'],
    [{ rateLimited: 1, failures: 2 }, 'stale'],
    [undefined, 'stale'],
  ])('%o since the baseline → %s', (stats, reason) => {
    expect(classifyStall(stats, baseline)).toBe(reason);
  });

  it('a thrown 403 is blocked, an escaped 429 exhausted', () => {
    expect(classifyError(new AuthError('no'))).toBe('blocked');
    expect(classifyError(new OpenSkyHttpError('slow', 429))).toBe('exhausted');
    expect(classifyError(new Error('boom'))).toBe('blocked');
  });
});
