/**
 * One fault scenario's run of the pipeline through the CLI as users run it:
 * `deploy`, `produce` from a fake OpenSky until its last snapshot, then the
 * records carried to the function by `bridge` or by an event source mapping
 * (`via`, see pollers.ts), with the scenario's fault injected through hooks;
 * then the notifications an SQS queue subscribed to the deployed topic
 * received are counted against what the served snapshots should give.
 *
 * The goal of every row: nothing lost, duplicates at most one batch per
 * partition per fault, nothing dead-lettered, no process exited or hung.
 * A row that misses it lists why in `failures`; nothing is hidden.
 *
 * Sizes are small on purpose (150 aircraft, a snapshot a second, batches of
 * 50): the local stack shares two cores.
 */
import { stackConfig } from '../../src/stack/lib.ts';
import type { TestFunction } from '../support/lambda-fixtures.ts';
import type { ScriptedReply } from '../support/opensky-server.ts';
import type { OwnBroker } from '../support/own-broker.ts';
import {
  CliProcess,
  cliEnv,
  deleteAws,
  deleteTopics,
  describeLost,
  type Feed,
  type FeedFault,
  flags,
  Notifications,
  type StackEndpoints,
  startFeed,
  type Tally,
  tally,
  topicRecords,
  until,
} from './harness.ts';
import { BridgePoller, MappingPoller, type Poller, type Via } from './pollers.ts';

/** One row of the table. */
export interface FaultRow extends Tally {
  id: string;
  title: string;
  /** How the records reached the function. */
  via: Via;
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
  /** How the records reach the function in this row. */
  via: Via;
  run(env: FaultEnvironment): Promise<FaultRow>;
}

const AIRCRAFT = 150;
export const BATCH_SIZE = 50;
const PARTITIONS = 3;
/** How long the notifications may take to arrive once the fault is over. */
const DELIVERY_TIMEOUT_MS = 180_000;

const uid = (id: string) =>
  `faults-${id}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/** The live state of a flow, handed to a scenario's hooks. */
export interface FlowRun {
  feed: Feed;
  /** The suite's own broker, when the spec asked for it. */
  broker: OwnBroker | undefined;
  produce: CliProcess;
  /** What carries the records to the function (set once produce has ended). */
  poller: Poller | undefined;
  notifications: Notifications;
  topic: string;
  functionName: string;
  notes: string[];
  facts: Record<string, number>;
  failures: string[];
  /** Wait until `share` of the expected notifications arrived (the fault then hits mid-stream). */
  untilDelivered(share: number): Promise<void>;
}

export interface FlowSpec {
  id: string;
  title: string;
  env: FaultEnvironment;
  /** `bridge` (a CLI process) or `mapping` (an event source mapping of the stack). @default 'bridge' */
  via?: Via;
  /**
   * Run on the suite's own broker (the scenario kills it: `run.broker`) rather than the
   * stack's; its address goes to produce and the poller (a mapping's KAFKA_BOOTSTRAP_SERVERS).
   */
  ownBroker?: boolean;
  /** The AWS endpoint deploy, the function and the queue use. @default the stack's */
  endpoint?: string;
  /** The endpoint the bridge is given, when it differs (a proxy). */
  bridgeEndpoint?: string;
  /**
   * The stack endpoint the mapping is created on, when it differs from `endpoint` (the
   * function of the scenario's own runs there). Mappings live on the stack's router only.
   */
  mappingEndpoint?: string;
  snapshots: number;
  seed: number;
  /** Faults the scenario causes, for the duplicate bound. @default 1 */
  faults?: number;
  feedFault?: FeedFault;
  token?: { replies: ScriptedReply[]; expiresIn: number };
  produceEnv?: Record<string, string>;
  /** A function of the scenario's own for the poller to invoke instead of the deployed one. */
  fn?: (topicArn: string, name: string) => Promise<TestFunction>;
  duringProduce?(run: FlowRun): Promise<void>;
  /** Once the poller runs. */
  duringDelivery?(run: FlowRun): Promise<void>;
  /** Last checks, once the counts are in. */
  after?(run: FlowRun, row: FaultRow): Promise<void> | void;
}

/**
 * deploy → produce (until its --max-snapshots) → bridge or mapping, with the scenario's
 * fault injected through the hooks; then count. Always cleans up what it created.
 */
export async function flow(spec: FlowSpec): Promise<FaultRow> {
  const { stack } = spec.env;
  const via = spec.via ?? 'bridge';
  const broker = spec.ownBroker ? await spec.env.ownBroker() : undefined;
  const brokers = broker?.brokers ?? stack.brokers;
  const endpoint = spec.endpoint ?? stack.endpoint;
  const id = uid(spec.id);
  const names = { topic: `${id}-states`, sns: `${id}-notifications`, fn: `${id}-fn`, group: `${id}-group` };
  const env = cliEnv(brokers, endpoint);
  const deployArgs = ['deploy', ...flags({ 'function-name': names.fn, 'topic-name': names.sns })];
  const notes: string[] = [];
  const facts: Record<string, number> = {};
  const failures: string[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  const processes: CliProcess[] = [];
  let topicArn = '';
  try {
    const deploy = new CliProcess(deployArgs, env);
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
        ...flags({
          'base-url': feed.baseUrl,
          interval: '1s',
          'max-snapshots': String(spec.snapshots),
          topic: names.topic,
          budget: 'off',
          'request-timeout': '2s',
        }),
      ],
      { ...env, ...(spec.token ? { OPENSKY_TOKEN_URL: feed.tokenUrl } : {}), ...spec.produceEnv },
    );
    processes.push(produce);
    /** Expected notifications received so far (duplicates do not count). */
    const delivered = () => {
      const counts = tally(feed.expected, notifications.bodies);
      return counts.expected - counts.lost;
    };
    const run: FlowRun = {
      feed,
      broker,
      produce,
      poller: undefined,
      notifications,
      topic: names.topic,
      functionName,
      notes,
      facts,
      failures,
      async untilDelivered(share) {
        // The expected count is final once produce has ended (the poller starts after it).
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

    const poller =
      via === 'bridge'
        ? new BridgePoller(
            [
              'bridge',
              ...flags({
                'function-name': functionName,
                topic: names.topic,
                'group-id': names.group,
                'starting-position': 'TRIM_HORIZON',
                'batch-size': String(BATCH_SIZE),
                ...(spec.bridgeEndpoint ? { 'endpoint-url': spec.bridgeEndpoint } : {}),
              }),
            ],
            env,
          )
        : await MappingPoller.create({
            cfg: stackConfig(),
            endpoint: spec.mappingEndpoint ?? endpoint,
            functionName,
            topic: names.topic,
            brokers,
            batchSize: BATCH_SIZE,
            // The reference function deploy made: deploy again, now with the trigger, as users wire it.
            createWith: spec.fn ? 'sdk' : { deploy: { args: deployArgs, env } },
          });
    run.poller = poller;
    // Before the topics are deleted: a mapping left polling a deleted topic would fail and restart.
    cleanup.push(() => poller.dispose());
    await spec.duringDelivery?.(run);
    await until(() => delivered() >= feed.expected.length, DELIVERY_TIMEOUT_MS);
    await notifications.settle();
    const down = await poller.down();
    if (down) {
      running = false;
      failures.push(down.failure);
      if (down.note) notes.push(down.note);
    }
    failures.push(...(await poller.stop()));
    facts.invokeFailures = poller.logged('invocation failed').length;

    const counts = tally(feed.expected, notifications.bodies);
    const deadLettered = await topicRecords(brokers, `${names.topic}-dlq`);
    const duplicateBound = BATCH_SIZE * PARTITIONS * (spec.faults ?? 1);
    if (counts.lost > 0) {
      failures.push(`${counts.lost} lost`);
      // What a CI log must hold to find where they went: CI keeps nothing else of the run.
      notes.push(describeLost(feed, notifications.bodies));
      notes.push(`poller log, last lines: ${poller.text().split('\n').slice(-12).join('\n')}`);
    }
    if (counts.duplicates > duplicateBound)
      failures.push(`${counts.duplicates} duplicates > ${duplicateBound}`);
    if (counts.unknown > 0) failures.push(`${counts.unknown} notifications no snapshot gives`);
    if (deadLettered > 0) failures.push(`${deadLettered} dead-lettered`);
    const row: FaultRow = {
      id: spec.id,
      title: spec.title,
      via,
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
