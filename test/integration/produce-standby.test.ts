/**
 * `produce --ha`: two producer processes of one feed, through the real CLI and
 * the stack's Kafka. One polls, the other stands by; SIGKILL the poller and the
 * standby takes over within two intervals, producing nothing the first one had.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from '../support/cli.ts';
import { cliEnv, uniqueName } from '../support/env.ts';
import { aircraftRow, type ReadsbTestServer, startReadsbServer } from '../support/readsb-server.ts';
import { deleteTopics, readTopic } from '../support/topic-records.ts';

const INTERVAL_S = 5;

/** A receiver of the shared feed: the wall clock's second (`lag` seconds behind), two aircraft moving with it. */
const feed = async () => {
  const copy = { lag: 0 };
  const server = await startReadsbServer(() => {
    const now = Math.floor(Date.now() / 1000) - copy.lag;
    return {
      body: {
        now: now + 0.5,
        aircraft: [
          aircraftRow('3c6444', { lon: 8 + (now % 1000) / 1000 }),
          aircraftRow('a0b1c2', { lat: 40 + (now % 1000) / 1000 }),
        ],
      },
    };
  });
  return Object.assign(server, { copy });
};

/** Resolves once `check` holds (polled every 200 ms); rejects after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('produce --ha: one poller per feed, a standby that takes over', () => {
  const topic = uniqueName('standby-states');
  const group = `${topic}-producers`;
  const env = cliEnv();
  const servers: ReadsbTestServer[] = [];
  const producers: RunningCli[] = [];

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.stop()));
    await Promise.all(servers.map((s) => s.close()));
    await deleteTopics([topic, group]);
  });

  it('elects one poller, and on SIGKILL the other takes over within two intervals without repeating a snapshot', async () => {
    // Arrange: each producer reads the feed from its own copy of the receiver, so the
    // requests each copy gets say which producer polls.
    const copies = [await feed(), await feed()];
    type Copy = (typeof copies)[number];
    servers.push(...copies);
    const start = (copy: Copy) =>
      startCli(
        [
          'produce',
          '--ha',
          '--source',
          'readsb',
          '--source-url',
          `${copy.url}/data/aircraft.json`,
          '--interval',
          `${INTERVAL_S}s`,
          '--topic',
          topic,
          '--log-level',
          'info',
        ],
        env,
      );
    producers.push(start(copies[0]!));
    await until(() => copies[0]!.requests.length >= 1, 30_000, 'the first producer to poll');
    producers.push(start(copies[1]!));
    await until(
      () => producers[1]!.output().stderr.includes('"standing by"') || copies[1]!.requests.length > 0,
      30_000,
      'the second producer to join',
    );
    // Let the group settle (the second member's join moves the partition, maybe to it).
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_S * 1000));

    // Act 1: over the next three intervals, exactly one copy is polled.
    const before = copies.map((c) => c.requests.length);
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_S * 1000));
    const polled = copies.map((c, i) => c.requests.length - before[i]!);
    const poller = polled[0]! > 0 ? 0 : 1;
    const standby = 1 - poller;
    expect(polled[poller]).toBeGreaterThanOrEqual(2);
    expect(polled[standby]).toBe(0);

    // Act 2: kill the poller outright; the standby's copy starts being polled. That copy runs
    // 15 s behind, so its first snapshots are older than the last one produced: left out.
    copies[standby]!.copy.lag = 15;
    const killedAt = Date.now();
    const standbyRequests = copies[standby]!.requests.length;
    producers[poller]!.child.kill('SIGKILL');
    await producers[poller]!.done;
    await until(() => copies[standby]!.requests.length > standbyRequests, 60_000, 'the standby to take over');
    const tookOverMs = copies[standby]!.requests[standbyRequests]!.at - killedAt;
    // Two intervals: the group's session timeout (6 s) and the rejoin, then the first poll.
    expect(tookOverMs).toBeLessThanOrEqual(2 * INTERVAL_S * 1000);
    // Six polls: the copy's clock passes the last snapshot produced before the kill.
    await until(
      () => copies[standby]!.requests.length >= standbyRequests + 6,
      60_000,
      'six polls after the takeover',
    );
    const stopped = await producers[standby]!.stop();

    // Assert: Kafka has the feed from both producers, each (aircraft, time) once.
    const records = await readTopic(topic);
    const seen = new Set<string>();
    for (const record of records) {
      const id = `${record.key}@${record.value.snapshot_time}`;
      expect(seen.has(id), `${id} produced twice`).toBe(false);
      seen.add(id);
    }
    const times = [...new Set(records.map((r) => r.value.snapshot_time))].sort((a, b) => a - b);
    const killedSecond = Math.floor(killedAt / 1000);
    expect(times.some((t) => t < killedSecond)).toBe(true);
    expect(times.some((t) => t > killedSecond)).toBe(true);
    expect(stopped.stderr).toContain('polling for the group');
    const done = JSON.parse(stopped.stderr.split('\n').find((line: string) => line.includes('"done"'))!);
    expect(done.standby.skippedAtTakeover).toBeGreaterThanOrEqual(1);
    expect(done.standby.readBackTime).toBeGreaterThanOrEqual(killedSecond - INTERVAL_S);
  }, 180_000);
});
