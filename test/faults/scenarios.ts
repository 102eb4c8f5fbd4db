/**
 * The fault scenarios (issue 8): each runs the pipeline through the CLI as
 * users run it (`deploy`, `produce` from a fake OpenSky, `bridge`), breaks
 * one thing, and counts the notifications an SQS queue subscribed to the
 * deployed topic received against what the served snapshots should give.
 *
 * The goal of every row: nothing lost, duplicates at most one batch per
 * partition per fault, nothing dead-lettered, no process exited or hung.
 * A row that misses it lists why in `failures`; nothing is hidden.
 *
 * Sizes are small on purpose (150 aircraft, a snapshot a second, batches of
 * 50): the local stack shares two cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { packageRoot } from '../../src/deploy/bundle.ts';
import { sleep } from '../../src/stack/lib.ts';

const repoRoot = packageRoot();

import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { deployTestFunction, type TestFunction } from '../support/lambda-fixtures.ts';
import type { ScriptedReply } from '../support/opensky-server.ts';
import type { OwnBroker } from '../support/own-broker.ts';
import { startOwnEndpoint } from '../support/own-endpoint.ts';
import {
  CliProcess,
  cliEnv,
  deleteAws,
  deleteTopics,
  type Feed,
  type FeedFault,
  malformedRecords,
  Notifications,
  type StackEndpoints,
  startFeed,
  type Tally,
  tally,
  topicRecords,
  until,
} from './harness.ts';

/** One row of the table. */
export interface FaultRow extends Tally {
  id: string;
  title: string;
  deadLettered: number;
  /** Every process that should still run did (none exited or hung because of the fault). */
  running: boolean;
  /** Duplicates allowed: one batch per partition per fault. */
  duplicateBound: number;
  /** What the scenario observed besides the counts (the fault really happened, what it caused). */
  facts: Record<string, number>;
  note: string;
  /** Goals this row missed; empty when it passed. */
  failures: string[];
}

/** What scenarios share: the stack, and a broker of the suite's own for kill/restart (started on first use). */
export interface FaultEnvironment {
  stack: StackEndpoints;
  ownBroker(): Promise<OwnBroker>;
}

export interface Scenario {
  id: string;
  title: string;
  run(env: FaultEnvironment): Promise<FaultRow>;
}

const AIRCRAFT = 150;
const BATCH_SIZE = 50;
const PARTITIONS = 3;
/** How long the notifications may take to arrive once the fault is over. */
const DELIVERY_TIMEOUT_MS = 180_000;

const uid = (id: string) =>
  `faults-${id}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/** The live state of a flow, handed to a scenario's hooks. */
interface FlowRun {
  feed: Feed;
  produce: CliProcess;
  /** The bridge running now (a scenario may replace it). */
  bridge: CliProcess | undefined;
  notifications: Notifications;
  topic: string;
  functionName: string;
  notes: string[];
  facts: Record<string, number>;
  failures: string[];
  /** Start a bridge with the flow's settings (same group). */
  startBridge(): CliProcess;
  /** Wait until `share` of the expected notifications arrived (the fault then hits mid-stream). */
  untilDelivered(share: number): Promise<void>;
}

interface FlowSpec {
  id: string;
  title: string;
  env: FaultEnvironment;
  /** Brokers of produce and bridge. @default the stack's */
  brokers?: string[];
  /** The AWS endpoint deploy, the function and the queue use. @default the stack's */
  endpoint?: string;
  /** The endpoint the bridge is given, when it differs (a proxy). */
  bridgeEndpoint?: string;
  snapshots: number;
  seed: number;
  /** Faults the scenario causes, for the duplicate bound. @default 1 */
  faults?: number;
  feedFault?: FeedFault;
  token?: { replies: ScriptedReply[]; expiresIn: number };
  produceEnv?: Record<string, string>;
  /** A function of the scenario's own for the bridge to invoke instead of the deployed one. */
  fn?: (topicArn: string, name: string) => Promise<TestFunction>;
  duringProduce?(run: FlowRun): Promise<void>;
  duringBridge?(run: FlowRun): Promise<void>;
  /** Last checks, once the counts are in. */
  after?(run: FlowRun, row: FaultRow): Promise<void> | void;
}

/**
 * deploy → produce (until its --max-snapshots) → bridge, with the scenario's fault injected
 * through the hooks; then count. Always cleans up what it created.
 */
async function flow(spec: FlowSpec): Promise<FaultRow> {
  const { stack } = spec.env;
  const brokers = spec.brokers ?? stack.brokers;
  const endpoint = spec.endpoint ?? stack.endpoint;
  const id = uid(spec.id);
  const names = { topic: `${id}-states`, sns: `${id}-notifications`, fn: `${id}-fn`, group: `${id}-group` };
  const env = cliEnv(brokers, endpoint);
  const notes: string[] = [];
  const facts: Record<string, number> = {};
  const failures: string[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  const processes: CliProcess[] = [];
  let topicArn = '';
  try {
    const deploy = new CliProcess(['deploy', '--function-name', names.fn, '--topic-name', names.sns], env);
    processes.push(deploy);
    const deployed = await deploy.wait(120_000);
    cleanup.push(() => deleteAws(endpoint, [names.fn], topicArn ? [topicArn] : []));
    if (deployed.code !== 0) throw new Error(`deploy exited ${deployed.code}: ${deploy.tail()}`);
    topicArn = (JSON.parse(deploy.stdout) as { topicArn: string }).topicArn;
    let functionName = names.fn;
    if (spec.fn) {
      const own = await spec.fn(topicArn, `${id}-wrapper`);
      cleanup.push(() => own.dispose());
      functionName = own.name;
    }
    const notifications = await Notifications.open(endpoint, topicArn, `${id}-queue`);
    cleanup.push(() => notifications.close());
    const feed = await startFeed({
      aircraft: AIRCRAFT,
      seed: spec.seed,
      ...(spec.feedFault ? { fault: spec.feedFault } : {}),
      ...(spec.token ? { token: spec.token } : {}),
    });
    cleanup.push(() => feed.close());
    cleanup.push(() => deleteTopics(brokers, [names.topic, `${names.topic}-dlq`]));

    const produce = new CliProcess(
      [
        'produce',
        '--base-url',
        feed.baseUrl,
        '--interval',
        '1s',
        '--max-snapshots',
        String(spec.snapshots),
        '--topic',
        names.topic,
        '--budget',
        'off',
        '--request-timeout',
        '2s',
      ],
      { ...env, ...(spec.token ? { OPENSKY_TOKEN_URL: feed.tokenUrl } : {}), ...spec.produceEnv },
    );
    processes.push(produce);
    const bridgeArgs = [
      'bridge',
      '--function-name',
      functionName,
      '--topic',
      names.topic,
      '--group-id',
      names.group,
      '--starting-position',
      'TRIM_HORIZON',
      '--batch-size',
      String(BATCH_SIZE),
      ...(spec.bridgeEndpoint ? ['--endpoint-url', spec.bridgeEndpoint] : []),
    ];
    /** Expected notifications received so far (duplicates do not count). */
    const delivered = () => {
      const counts = tally(feed.expected, notifications.bodies);
      return counts.expected - counts.lost;
    };
    const run: FlowRun = {
      feed,
      produce,
      bridge: undefined,
      notifications,
      topic: names.topic,
      functionName,
      notes,
      facts,
      failures,
      startBridge() {
        const bridge = new CliProcess(bridgeArgs, env);
        processes.push(bridge);
        run.bridge = bridge;
        return bridge;
      },
      async untilDelivered(share) {
        // The expected count is final once produce has ended (the bridge runs after it).
        const target = Math.ceil(feed.expected.length * share);
        if (!(await until(() => delivered() >= target, DELIVERY_TIMEOUT_MS)))
          throw new Error(`only ${delivered()} of ${target} notifications arrived before the fault`);
      },
    };

    await spec.duringProduce?.(run);
    const produced = await produce.wait(spec.snapshots * 1000 + 180_000);
    let running = true;
    if (produced.hung || produced.code !== 0) {
      running = false;
      failures.push(
        produced.hung
          ? 'produce did not finish its snapshots in time (hung?)'
          : `produce exited ${produced.code ?? produced.signal}`,
      );
      notes.push(`produce: ${produce.tail(2)}`);
    }
    if (feed.snapshots < spec.snapshots)
      failures.push(`only ${feed.snapshots} of ${spec.snapshots} snapshots fetched`);

    const bridge = run.startBridge();
    await spec.duringBridge?.(run);
    await until(() => delivered() >= feed.expected.length, DELIVERY_TIMEOUT_MS);
    await notifications.settle();
    const last = run.bridge ?? bridge;
    if (!last.running) {
      running = false;
      failures.push(`bridge exited by itself (${last.exit?.code ?? last.exit?.signal})`);
      notes.push(`bridge: ${last.tail(2)}`);
    }
    const stopped = await last.stop();
    if (stopped.hung) failures.push('bridge did not stop within 45 s of SIGINT (hung)');
    else if (running && stopped.code !== 0) failures.push(`bridge exited ${stopped.code} on SIGINT`);
    facts.invokeFailures = processes
      .filter((p) => p.command === 'bridge')
      .reduce((sum, p) => sum + p.logged('invocation failed').length, 0);

    const counts = tally(feed.expected, notifications.bodies);
    const deadLettered = await topicRecords(brokers, `${names.topic}-dlq`);
    const duplicateBound = BATCH_SIZE * PARTITIONS * (spec.faults ?? 1);
    if (counts.lost > 0) failures.push(`${counts.lost} lost`);
    if (counts.duplicates > duplicateBound)
      failures.push(`${counts.duplicates} duplicates > ${duplicateBound}`);
    if (counts.unknown > 0) failures.push(`${counts.unknown} notifications no snapshot gives`);
    if (deadLettered > 0) failures.push(`${deadLettered} dead-lettered`);
    const row: FaultRow = {
      id: spec.id,
      title: spec.title,
      ...counts,
      deadLettered,
      running,
      duplicateBound,
      facts,
      note: '',
      failures,
    };
    await spec.after?.(run, row);
    row.note = notes.join('; ');
    return row;
  } finally {
    for (const p of processes) await p.kill();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

// --- functions that misbehave on cue ---

const handlerModule = join(repoRoot, 'src', 'lambda', 'handler.ts');

/**
 * The reference handler (`createFlightHandler`) behind a fault: the first FAULT_COUNT
 * invocations, counted across every execution environment by claiming token files in
 * FAULT_DIR, throw (FAULT_MODE=throw) or sleep past the function's timeout
 * (FAULT_MODE=timeout) before processing anything; every other invocation is the reference's,
 * which answers AFTER_MS after it published.
 */
const faultyHandler = `
import { closeSync, openSync } from 'node:fs';
import { createFlightHandler } from ${JSON.stringify(handlerModule)};
const reference = createFlightHandler();
function claimFault() {
  for (let i = 0; i < Number(process.env.FAULT_COUNT ?? 0); i++) {
    try {
      closeSync(openSync(process.env.FAULT_DIR + '/fault-' + i, 'wx'));
      return true;
    } catch {}
  }
  return false;
}
export const handler = async (event) => {
  if (claimFault()) {
    if (process.env.FAULT_MODE === 'timeout') await new Promise((resolve) => setTimeout(resolve, 600_000));
    throw new Error('injected fault: this invocation fails before processing');
  }
  const result = await reference(event);
  // AFTER_MS: hold the answer after publishing, so a bridge killed now is mid-batch.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.AFTER_MS ?? 0)));
  return result;
};`;

/** Deploy {@link faultyHandler} as `name`, publishing to `topicArn`. */
async function faultyFunction(
  name: string,
  topicArn: string,
  options: {
    mode?: 'throw' | 'timeout';
    /** Invocations that fail. @default 0 */
    faults?: number;
    /** The function's timeout, seconds. @default 10 */
    timeout?: number;
    afterMs?: number;
    endpoint?: string;
  },
): Promise<TestFunction> {
  const dir = mkdtempSync(join(tmpdir(), 'oss-faults-'));
  const fn = await deployTestFunction(name, faultyHandler, {
    env: {
      SNS_TOPIC_ARN: topicArn,
      FAULT_DIR: dir,
      FAULT_MODE: options.mode ?? 'throw',
      FAULT_COUNT: String(options.faults ?? 0),
      AFTER_MS: String(options.afterMs ?? 0),
    },
    timeout: options.timeout ?? 10,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  return {
    ...fn,
    async dispose() {
      await fn.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- hostile records ---

const inAir = {
  icao24: 'f00d01',
  callsign: 'HOSTILE ',
  origin_country: 'Nowhere',
  time_position: 1722515696,
  last_contact: 1722515697,
  longitude: 8.5,
  latitude: 47.4,
  baro_altitude: 9000,
  on_ground: false,
  velocity: 230,
  true_track: 90,
  vertical_rate: 0,
  sensors: null,
  geo_altitude: 9100,
  squawk: '1000',
  spi: false,
  position_source: 0,
  snapshot_time: 1722515700,
};

/** Values no well-behaved producer writes, by label: each must end malformed, never published or dead-lettered. */
export function hostileValues(): Array<[string, Buffer | null]> {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const text = (value: string) => Buffer.from(value);
  return [
    ['time_position 1e13', json({ ...inAir, time_position: 1e13 })],
    ['time_position -1e13', json({ ...inAir, time_position: -1e13 })],
    ['baro_altitude 1e308', json({ ...inAir, baro_altitude: 1e308 })],
    ['velocity 1e308', json({ ...inAir, velocity: 1e308 })],
    ['icao24 a number', json({ ...inAir, icao24: 123456 })],
    ['on_ground a string', json({ ...inAir, on_ground: 'false' })],
    ['latitude a string', json({ ...inAir, latitude: '47.4' })],
    ['sensors not integers', json({ ...inAir, sensors: [1.5] })],
    ['a JSON array of 3', json([1, 2, 3])],
    ['a JSON string', json('hello')],
    ['JSON null', text('null')],
    ['JSON cut short', text('{"icao24":"f00d02","callsign":')],
    ['binary bytes', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80])],
    ['empty value', Buffer.alloc(0)],
    ['tombstone (no value)', null],
    ['JSON nested 100,000 deep', text(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
    ['callsign of 300 KB', json({ ...inAir, icao24: 'f00d03', callsign: 'X'.repeat(300_000) })],
    ['origin_country of 300 KB', json({ ...inAir, icao24: 'f00d04', origin_country: 'Y'.repeat(300_000) })],
    ['icao24 of 900 KB', json({ ...inAir, icao24: 'f'.repeat(900_000) })],
    ['1 MB of text', text('z'.repeat(1_000_000))],
    ['1 MB JSON array of numbers', json(Array.from({ length: 140_000 }, () => 123456))],
  ];
}

async function produceHostile(brokers: string[], topic: string): Promise<Map<string, string>> {
  const kafka = new Kafka({ clientId: 'faults-hostile', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const at = new Map<string, string>();
  try {
    for (const [i, [label, value]] of hostileValues().entries()) {
      const [meta] = await producer.send({ topic, messages: [{ key: `hostile-${i}`, value }] });
      at.set(`${topic}-${meta!.partition}@${meta!.baseOffset}`, label);
    }
  } finally {
    await producer.disconnect();
  }
  return at;
}

// --- the scenarios ---

const scenario = (
  id: string,
  title: string,
  run: (env: FaultEnvironment, meta: { id: string; title: string }) => Promise<FaultRow>,
): Scenario => ({ id, title, run: (env) => run(env, { id, title }) });

const CRASHED = 'the Kafka consumer crashed; restarting it from the committed offsets';

export const scenarios: Scenario[] = [
  scenario('a', 'Kafka broker SIGKILLed and restarted during produce', async (env, meta) => {
    const broker = await env.ownBroker();
    return flow({
      ...meta,
      env,
      brokers: broker.brokers,
      // Long enough that the broker is back well before produce's last snapshot: a first send
      // fails only after kafkajs's own retries (~20 s), and the broker takes ~10 s to restart.
      snapshots: 45,
      seed: 11,
      async duringProduce(run) {
        await until(() => run.feed.snapshots >= 4, 60_000);
        await broker.kill();
        const atKill = run.feed.snapshots;
        // Down until a send has failed (kafkajs itself retries a lost connection for a while
        // first): produce must buffer, not just wait.
        const failedSends = () => run.produce.logged('send failed; buffering and retrying').length;
        await until(() => failedSends() > 0 || !run.produce.running, 120_000);
        run.facts.sendRetries = failedSends();
        await broker.restart();
        run.facts.snapshotsDuringOutage = run.feed.snapshots - atKill;
        run.notes.push(
          `broker down while ${run.facts.snapshotsDuringOutage} snapshots were fetched; ` +
            `failed sends logged: ${run.facts.sendRetries}`,
        );
        if (run.facts.sendRetries === 0) run.failures.push('no send failed: the fault did not happen');
      },
    });
  }),
  scenario('b', 'Kafka broker SIGKILLed and restarted during bridge', async (env, meta) => {
    const broker = await env.ownBroker();
    return flow({
      ...meta,
      env,
      brokers: broker.brokers,
      snapshots: 10,
      seed: 12,
      async duringBridge(run) {
        await run.untilDelivered(0.3);
        const atKill = run.notifications.bodies.length;
        await broker.kill();
        const crashed = await until(() => run.bridge!.logged(CRASHED).length > 0, 90_000);
        await broker.restart();
        run.notes.push(`broker killed at ${atKill} delivered; consumer crashed and restarted`);
        if (!crashed) run.failures.push('the bridge never noticed the broker was gone');
      },
    });
  }),
  scenario('c', 'bridge SIGKILLed mid-batch, restarted (same group)', (env, meta) => {
    return flow({
      ...meta,
      env,
      snapshots: 10,
      seed: 13,
      // The reference handler, answering 500 ms after it published: the kill lands between
      // publish and commit, the worst moment (those records come again).
      fn: (topicArn, name) => faultyFunction(name, topicArn, { afterMs: 500 }),
      async duringBridge(run) {
        await run.untilDelivered(0.3);
        const atKill = run.notifications.bodies.length;
        await run.bridge!.kill();
        run.startBridge();
        run.facts.deliveredAtKill = atKill;
        run.notes.push(`SIGKILL at ${atKill} delivered; a new bridge, same group`);
      },
    });
  }),
  scenario('d', 'Lambda throws for its first 3 invocations', (env, meta) => {
    return flow({
      ...meta,
      env,
      snapshots: 8,
      seed: 14,
      faults: 3,
      fn: (topicArn, name) => faultyFunction(name, topicArn, { mode: 'throw', faults: 3 }),
      after(run) {
        run.notes.push(`${run.facts.invokeFailures} invocations failed and were retried`);
        if (!run.facts.invokeFailures) run.failures.push('no invocation failed: the fault did not happen');
      },
    });
  }),
  scenario('e', 'Lambda times out (3 s timeout) on its first 2 invocations', (env, meta) => {
    return flow({
      ...meta,
      env,
      snapshots: 8,
      seed: 15,
      faults: 2,
      fn: (topicArn, name) => faultyFunction(name, topicArn, { mode: 'timeout', faults: 2, timeout: 3 }),
      after(run) {
        const timedOut = (run.bridge?.stderr.match(/timed out/gi) ?? []).length;
        run.facts.timedOut = timedOut;
        run.notes.push(`${run.facts.invokeFailures} invocations failed (${timedOut} logged as timed out)`);
        if (!run.facts.invokeFailures) run.failures.push('no invocation failed: the fault did not happen');
      },
    });
  }),
  scenario('f', 'Invoke throttled (429 TooManyRequestsException)', async (env, meta) => {
    // An endpoint of the scenario's own whose router runs one execution environment and
    // queues one invocation: a third concurrent Invoke (the bridge runs 3 partitions at
    // once) gets 429. A forwarder in front of it counts the 429s.
    const endpoint = await startOwnEndpoint({ LAMBDA_MAX_CONCURRENCY: '1', LAMBDA_MAX_QUEUE: '1' });
    let proxy: FaultProxy | undefined;
    try {
      proxy = await startFaultProxy(endpoint.url);
      const counter = proxy;
      return await flow({
        ...meta,
        env,
        endpoint: endpoint.url,
        bridgeEndpoint: counter.url,
        snapshots: 8,
        seed: 16,
        // The reference handler holding each answer 300 ms: the environment stays busy, so
        // Invokes pile up beyond the queue of one and are refused, often past the SDK's retries.
        fn: (topicArn, name) => faultyFunction(name, topicArn, { afterMs: 300, endpoint: endpoint.url }),
        after(run) {
          run.facts.throttled = counter.statuses[429] ?? 0;
          run.notes.push(
            `own endpoint, LAMBDA_MAX_CONCURRENCY=1 LAMBDA_MAX_QUEUE=1: ${run.facts.throttled} Invokes answered 429, ` +
              `${run.facts.invokeFailures} invocation failures reached the bridge`,
          );
          if (!run.facts.throttled) run.failures.push('no Invoke was throttled: the fault did not happen');
        },
      });
    } finally {
      await proxy?.close();
      await endpoint.dispose();
    }
  }),
  scenario('g', 'AWS endpoint unreachable for 20 s (bridge side)', async (env, meta) => {
    // The bridge reaches the endpoint through a forwarder that refuses connections for 20 s:
    // the router, its functions and SNS/SQS state (fauxqs keeps it in memory only) survive.
    const proxy = await startFaultProxy(env.stack.endpoint);
    try {
      return await flow({
        ...meta,
        env,
        bridgeEndpoint: proxy.url,
        snapshots: 10,
        seed: 17,
        async duringBridge(run) {
          await run.untilDelivered(0.3);
          const atDown = run.notifications.bodies.length;
          await proxy.down();
          await sleep(20_000);
          run.facts.deliveredDuringOutage = run.notifications.bodies.length - atDown;
          await proxy.up();
          run.notes.push(
            `endpoint refused connections for 20 s from ${atDown} delivered (a forwarder taken down)`,
          );
        },
        after(run) {
          run.notes.push(`${run.facts.invokeFailures} invocation failures reached the bridge`);
          if (!run.facts.invokeFailures) run.failures.push('no invocation failed: the fault did not happen');
        },
      });
    } finally {
      await proxy.close();
    }
  }),
  scenario('h', 'OpenSky 429 / 5xx / timeout / garbage / truncated / token endpoint down', (env, meta) => {
    const truncated = JSON.stringify({ time: 1, states: [['abcdef', 'X', 'Y', 1, 1, 1, 1, 1, false]] });
    const faults: Record<number, { label: string; reply: ScriptedReply }> = {
      1: {
        label: '429',
        reply: {
          status: 429,
          headers: { 'x-rate-limit-retry-after-seconds': '1' },
          body: 'Too many requests',
        },
      },
      3: { label: '500', reply: { status: 500, body: 'Internal Server Error' } },
      4: { label: '502', reply: { status: 502, body: '<html>Bad Gateway</html>' } },
      5: { label: '503', reply: { status: 503, body: '' } },
      7: { label: 'timeout', reply: { delayMs: 3000, destroy: true } },
      9: { label: 'HTML with 200', reply: { status: 200, body: '<html><body>Maintenance</body></html>' } },
      11: { label: 'JSON cut short', reply: { status: 200, body: truncated.slice(0, 40) } },
      13: { label: 'connection cut mid-body', reply: { truncateAt: 30, body: truncated } },
      15: { label: 'connection dropped', reply: { destroy: true } },
      17: { label: 'wrong schema', reply: { status: 200, body: { time: 'soon', states: 'none' } } },
      19: { label: 'empty 200', reply: { status: 200, body: '' } },
    };
    // Tokens live 61 s and are renewed 60 s ahead: a token request before nearly every poll.
    const tokenFailures: ScriptedReply[] = [];
    for (const n of [0, 1, 2, 7, 8])
      tokenFailures[n] = n % 2 ? { destroy: true } : { status: 503, body: 'down' };
    return flow({
      ...meta,
      env,
      snapshots: 10,
      seed: 18,
      feedFault: (n) => faults[n],
      token: { replies: tokenFailures, expiresIn: 61 },
      // Credentials as users give them; the token endpoint is the fake's (OPENSKY_TOKEN_URL).
      produceEnv: { OPENSKY_CLIENT_ID: 'faults', OPENSKY_CLIENT_SECRET: 'secret' },
      after(run) {
        const served = Object.values(run.feed.faults).reduce((a, b) => a + b, 0);
        run.facts.faultsServed = served;
        run.facts.tokenRequests = run.feed.tokenRequests;
        run.facts.authorized = run.feed.authorized;
        run.notes.push(
          `${served} faulty answers (${Object.keys(run.feed.faults).join(', ')}), ` +
            `${run.feed.tokenRequests} token requests of which 5 failed`,
        );
        if (served < Object.keys(faults).length)
          run.failures.push(`only ${served} of ${Object.keys(faults).length} faults served`);
        if (run.feed.authorized === 0) run.failures.push('no request carried a token');
      },
    });
  }),
  scenario('i', 'hostile records in the topic among good ones', (env, meta) => {
    let hostile = new Map<string, string>();
    return flow({
      ...meta,
      env,
      snapshots: 6,
      seed: 19,
      async duringProduce(run) {
        await until(() => run.feed.snapshots >= 2, 60_000);
        hostile = await produceHostile(env.stack.brokers, run.topic);
      },
      after(run) {
        const malformed = malformedRecords(env.stack.runDir, run.functionName);
        const notMalformed = [...hostile].filter(([at]) => !malformed.has(at)).map(([, label]) => label);
        run.facts.hostile = hostile.size;
        run.facts.hostileMalformed = hostile.size - notMalformed.length;
        run.notes.push(`${run.facts.hostileMalformed} of ${hostile.size} hostile counted as malformed`);
        if (notMalformed.length) {
          run.failures.push(`hostile not counted as malformed: ${notMalformed.join(', ')}`);
        }
      },
    });
  }),
];
