/**
 * The fault scenarios (issue 8): each runs the pipeline through the CLI as
 * users run it (`deploy`, `produce` from a fake OpenSky, then `bridge` or an
 * event source mapping), breaks one thing, and counts the notifications an
 * SQS queue subscribed to the deployed topic received against what the
 * served snapshots should give (see flow.ts).
 *
 * Rows a–i carry the records with `bridge`. Rows `m-…` run the faults that
 * concern delivery again through an event source mapping of the local stack
 * (`deploy --kafka-bootstrap-servers`, its worker process run by the router):
 * the same scenario functions with `via: 'mapping'`, plus a restart of the
 * router itself. a and h (the produce side) have no mapping row, nor f and g
 * (a forwarder between the bridge and the endpoint): the mapping's worker
 * invokes its own router directly, which m-g restarts instead.
 */
import { endpointService } from '../../src/stack/endpoint.ts';
import { sleep, stackConfig, stopService } from '../../src/stack/lib.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import type { ScriptedReply } from '../support/opensky-server.ts';
import { startOwnEndpoint } from '../support/own-endpoint.ts';
import { type FaultEnvironment, type FaultRow, type FlowRun, flow, type Scenario } from './flow.ts';
import { faultyFunction } from './functions.ts';
import { malformedRecords, until } from './harness.ts';
import { produceHostile } from './hostile.ts';
import type { MappingPoller, Via } from './pollers.ts';

export type { FaultEnvironment, FaultRow, Scenario } from './flow.ts';

type Meta = { id: string; title: string; via: Via };

const scenario = (
  id: string,
  title: string,
  via: Via,
  run: (env: FaultEnvironment, meta: Meta) => Promise<FaultRow>,
): Scenario => ({ id, title, via, run: (env) => run(env, { id, title, via }) });

/**
 * A scenario that runs both ways: row `letter` through `bridge`, row `m-letter` through
 * a mapping; `titles` words the fault for each.
 */
const both =
  (
    letter: string,
    titles: Record<Via, string>,
    run: (env: FaultEnvironment, meta: Meta) => Promise<FaultRow>,
  ) =>
  (via: Via): Scenario =>
    scenario(via === 'bridge' ? letter : `m-${letter}`, titles[via], via, run);

const CRASHED = 'the Kafka consumer crashed; restarting it from the committed offsets';

// --- the scenarios of both ways ---

const brokerDuringDelivery = both(
  'b',
  {
    bridge: 'Kafka broker SIGKILLed and restarted during bridge',
    mapping: 'mapping: Kafka broker SIGKILLed and restarted during delivery',
  },
  (env, meta) =>
    flow({
      ...meta,
      env,
      ownBroker: true,
      snapshots: 10,
      seed: 12,
      async duringDelivery(run) {
        await run.untilDelivered(0.3);
        const atKill = run.notifications.bodies.length;
        await run.broker!.kill();
        const crashed = await until(() => run.poller!.logged(CRASHED).length > 0, 90_000);
        await run.broker!.restart();
        run.notes.push(`broker killed at ${atKill} delivered; consumer crashed and restarted`);
        if (!crashed) run.failures.push(`the ${meta.via} never noticed the broker was gone`);
      },
    }),
);

const pollerKilled = both(
  'c',
  {
    bridge: 'bridge SIGKILLed mid-batch, restarted (same group)',
    mapping: "mapping: its worker process SIGKILLed mid-batch (the router's supervisor restarts it)",
  },
  (env, meta) =>
    flow({
      ...meta,
      env,
      snapshots: 10,
      seed: 13,
      // The reference handler, answering 500 ms after it published: the kill lands between
      // publish and commit, the worst moment (those records come again).
      fn: (topicArn, name) => faultyFunction(name, topicArn, { afterMs: 500 }),
      async duringDelivery(run) {
        await run.untilDelivered(0.3);
        const atKill = run.notifications.bodies.length;
        const { note, problem } = await run.poller!.crash();
        run.facts.deliveredAtKill = atKill;
        run.notes.push(`SIGKILL at ${atKill} delivered; ${note}`);
        if (problem) run.failures.push(problem.failure);
      },
    }),
);

const functionThrows = both(
  'd',
  {
    bridge: 'Lambda throws for its first 3 invocations',
    mapping: 'mapping: Lambda throws for its first 3 invocations',
  },
  (env, meta) =>
    flow({
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
    }),
);

const functionTimesOut = both(
  'e',
  {
    bridge: 'Lambda times out (3 s timeout) on its first 2 invocations',
    mapping: 'mapping: Lambda times out (3 s timeout) on its first 2 invocations',
  },
  (env, meta) =>
    flow({
      ...meta,
      env,
      snapshots: 8,
      seed: 15,
      faults: 2,
      fn: (topicArn, name) => faultyFunction(name, topicArn, { mode: 'timeout', faults: 2, timeout: 3 }),
      after(run) {
        const timedOut = (run.poller?.text().match(/timed out/gi) ?? []).length;
        run.facts.timedOut = timedOut;
        run.notes.push(`${run.facts.invokeFailures} invocations failed (${timedOut} logged as timed out)`);
        if (!run.facts.invokeFailures) run.failures.push('no invocation failed: the fault did not happen');
      },
    }),
);

const hostileRecords = both(
  'i',
  {
    bridge: 'hostile records in the topic among good ones',
    mapping: 'mapping: hostile records in the topic among good ones',
  },
  (env, meta) => {
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
  },
);

// --- the scenarios of one way ---

const brokerDuringProduce = scenario(
  'a',
  'Kafka broker SIGKILLed and restarted during produce',
  'bridge',
  (env, meta) =>
    flow({
      ...meta,
      env,
      ownBroker: true,
      // Long enough that the broker is back well before produce's last snapshot: a first send
      // fails only after kafkajs's own retries (~20 s), and the broker takes ~10 s to restart.
      snapshots: 45,
      seed: 11,
      async duringProduce(run) {
        await until(() => run.feed.snapshots >= 4, 60_000);
        await run.broker!.kill();
        const atKill = run.feed.snapshots;
        // Down until a send has failed (kafkajs itself retries a lost connection for a while
        // first): produce must buffer, not just wait.
        const failedSends = () => run.produce.logged('send failed; buffering and retrying').length;
        await until(() => failedSends() > 0 || !run.produce.running, 120_000);
        run.facts.sendRetries = failedSends();
        await run.broker!.restart();
        run.facts.snapshotsDuringOutage = run.feed.snapshots - atKill;
        run.notes.push(
          `broker down while ${run.facts.snapshotsDuringOutage} snapshots were fetched; ` +
            `failed sends logged: ${run.facts.sendRetries}`,
        );
        if (run.facts.sendRetries === 0) run.failures.push('no send failed: the fault did not happen');
      },
    }),
);

const throttled = scenario(
  'f',
  'Invoke throttled (429 TooManyRequestsException)',
  'bridge',
  async (env, meta) => {
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
  },
);

const endpointUnreachable = scenario(
  'g',
  'AWS endpoint unreachable for 20 s (bridge side)',
  'bridge',
  async (env, meta) => {
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
        async duringDelivery(run) {
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
  },
);

const routerRestarted = scenario(
  'm-g',
  "mapping: the stack's AWS endpoint (router) stopped and started mid-stream",
  'mapping',
  async (env, meta) => {
    // The router keeps SNS and SQS (fauxqs) in memory: a restart would take the topic and
    // the queue with it. So they live on an endpoint of the scenario's own, which the
    // function publishes to (its own AWS_ENDPOINT_URL wins, as on AWS); the function and
    // the mapping live on the stack's router, the one restarted, as event-source-mapping
    // .test.ts restarts it (the lambda service only).
    const messaging = await startOwnEndpoint();
    try {
      return await flow({
        ...meta,
        env,
        endpoint: messaging.url,
        mappingEndpoint: env.stack.endpoint,
        snapshots: 10,
        seed: 20,
        fn: (topicArn, name) =>
          faultyFunction(name, topicArn, {
            endpoint: env.stack.endpoint,
            env: { AWS_ENDPOINT_URL: messaging.url },
          }),
        async duringDelivery(run) {
          await routerRestart(run);
        },
      });
    } finally {
      await messaging.dispose();
    }
  },
);

/** Stop the stack's router mid-stream and start it again; its mapping's worker must come back. */
async function routerRestart(run: FlowRun): Promise<void> {
  const poller = run.poller as MappingPoller;
  await run.untilDelivered(0.3);
  const before = poller.workerPid();
  const atStop = run.notifications.bodies.length;
  const cfg = stackConfig();
  await stopService(cfg, 'lambda');
  await endpointService.start(cfg, () => undefined);
  const back = await until(() => {
    const pid = poller.workerPid();
    return pid !== undefined && pid !== before;
  }, 60_000);
  run.facts.deliveredAtRestart = atStop;
  run.notes.push(
    `router stopped at ${atStop} delivered and started again; worker ${before} → ${poller.workerPid()}`,
  );
  if (before === undefined) run.failures.push('no worker ran before the restart: the fault did not happen');
  if (!back) run.failures.push('no worker polled for the mapping within 60 s of the restart');
}

// --- OpenSky side ---

const openSkyFaults = scenario(
  'h',
  'OpenSky 429 / 5xx / timeout / garbage / truncated / token endpoint down',
  'bridge',
  (env, meta) => {
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
  },
);

/** Every row, in the table's order: through `bridge` (a–i), then through a mapping (m-…). */
export const scenarios: Scenario[] = [
  brokerDuringProduce,
  brokerDuringDelivery('bridge'),
  pollerKilled('bridge'),
  functionThrows('bridge'),
  functionTimesOut('bridge'),
  throttled,
  endpointUnreachable,
  openSkyFaults,
  hostileRecords('bridge'),
  brokerDuringDelivery('mapping'),
  pollerKilled('mapping'),
  functionThrows('mapping'),
  functionTimesOut('mapping'),
  routerRestarted,
  hostileRecords('mapping'),
];
