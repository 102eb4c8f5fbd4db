import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/logger.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { uniqueName } from '../support/env.ts';
import { type OpenSkyTestServer, startOpenSkyServer } from '../support/opensky-server.ts';
import { type OwnBroker, startOwnBroker, watchRun } from '../support/own-broker.ts';

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Distinct `icao24@snapshot-time` records in `topic`, read until `expected` are in or reading stalls. */
async function distinctRecords(brokers: string[], topic: string, expected: number): Promise<Set<string>> {
  const kafka = new Kafka({ clientId: 'outage-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('outage-reader') });
  const seen = new Set<string>();
  let total = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        total++;
        seen.add(`${message.key?.toString()}@${message.headers?.['snapshot-time']?.toString()}`);
      },
    });
    let last = -1;
    // Read until every expected record is in, or nothing new arrived for a while.
    for (let idle = 0; seen.size < expected && idle < 50; idle = total === last ? idle + 1 : 0) {
      last = total;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('produce through a broker outage (a broker of its own, SIGKILLed and restarted)', () => {
  let broker: OwnBroker | undefined;
  let server: OpenSkyTestServer | undefined;
  beforeAll(async () => {
    broker = await startOwnBroker();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await broker?.dispose();
  }, 60_000);

  it('keeps polling while the broker is down and delivers every snapshot fetched meanwhile (regression: issue 8)', async () => {
    // Arrange: a local OpenSky answering a new 25-aircraft snapshot on every poll
    const own = broker!;
    const topic = uniqueName('produce-outage');
    const base = 1_722_500_000;
    const body = (n: number) => generateSnapshot({ aircraft: 25, seed: n + 1, time: base + n });
    server = await startOpenSkyServer({ reply: (n) => ({ body: body(n) }) });
    const pipeline = createPipeline({
      mode: 'produce',
      source: { baseUrl: server.baseUrl, intervalMs: 400, budget: 'off' },
      sink: { brokers: own.brokers, topic, retry: { baseMs: 200, maxDelayMs: 2_000 } },
      ensureTopic: { partitions: 3 },
      logger: process.env.DEBUG_OUTAGE ? createJsonLogger({ level: 'debug' }) : undefined,
    });
    const fetched: number[] = [];
    let maxBuffered = 0;
    pipeline.on('snapshot', ({ time }) => {
      fetched.push(time);
      maxBuffered = Math.max(maxBuffered, pipeline.stats.sink?.bufferedSnapshots ?? 0);
    });
    const running = watchRun(pipeline.run());
    await waitFor(() => (pipeline.stats.sink?.messages ?? 0) >= 3 * 25);

    // Act: SIGKILL the broker; keep it down while the source fetches 25 more snapshots and
    // until a send has failed (kafkajs itself retries a lost connection for ~10 s first)
    await own.kill();
    const atKill = fetched.length;
    const requestsAtKill = server.requests.length;
    await waitFor(() => fetched.length >= atKill + 25 && pipeline.stats.sink!.sendRetries > 0);
    const duringOutage = {
      fetched: fetched.length - atKill,
      requests: server.requests.length - requestsAtKill,
    };
    const retriesDuringOutage = pipeline.stats.sink!.sendRetries;
    const endedDuringOutage = running.ended;
    await own.restart();
    await waitFor(() => pipeline.stats.sink!.bufferedSnapshots === 0, 60_000);
    const afterRestart = fetched.length;
    await waitFor(() => fetched.length >= afterRestart + 3 && pipeline.stats.sink!.bufferedSnapshots === 0);
    await pipeline.stop();
    await running.done;

    // Assert: nothing fetched was lost; the pipeline never stopped on its own
    expect(running.failure).toBeUndefined();
    expect(endedDuringOutage).toBe(false);
    expect(duringOutage.fetched).toBeGreaterThanOrEqual(25);
    expect(duringOutage.requests).toBeGreaterThanOrEqual(25);
    expect(maxBuffered).toBeGreaterThanOrEqual(20);
    expect(retriesDuringOutage).toBeGreaterThan(0);
    const sink = pipeline.stats.sink!;
    expect(sink).toMatchObject({ droppedSnapshots: 0, unsentSnapshots: 0, bufferedSnapshots: 0 });
    const expected = new Set(
      fetched.flatMap((time) =>
        parseStatesResponse(body(time - base)).response.states.map((sv) => `${sv.icao24}@${time}`),
      ),
    );
    const inTopic = await distinctRecords(own.brokers, topic, expected.size);
    const lost = [...expected].filter((record) => !inTopic.has(record));
    expect(lost).toEqual([]);
    expect(inTopic.size).toBe(expected.size);
    console.info(
      `produce outage: ${duringOutage.fetched} snapshots fetched while the broker was down, ` +
        `at most ${maxBuffered} buffered, ${sink.sendRetries} send retries, ${fetched.length} snapshots / ` +
        `${expected.size} records in all, ${inTopic.size} distinct in the topic, ${lost.length} lost`,
    );
  }, 90_000);
});
