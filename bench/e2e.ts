/**
 * The reference pipeline at the real feed's rate, through the CLI as users run it:
 *
 *   local OpenSky-format server (BENCH_AIRCRAFT aircraft, default 10,000, moving)
 *     → `opensky-stream produce` (polls every BENCH_INTERVAL, default 3s)
 *     → Kafka → `opensky-stream bridge` → the deployed reference Lambda
 *     → SNS → an SQS queue subscribed to the topic, drained by parallel receivers here.
 *
 * It runs for BENCH_SECONDS (default 60) of polling, then waits for the queue to
 * drain, and prints: notifications expected / delivered / missing / duplicates,
 * latency from snapshot fetched (served to `produce`) to notification received
 * (p50, p99, max), notifications/s, the largest consumer lag seen, and the peak
 * RSS of the produce and bridge processes.
 *
 *   npm run bench -- e2e
 *   BENCH_AIRCRAFT=2000 BENCH_SECONDS=30 npm run bench -- e2e
 *   BENCH_BRIDGE_ARGS="--batch-size 500" npm run bench -- e2e
 *   BENCH_PRODUCE_ARGS="--no-trace-context" npm run bench -- e2e
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Kafka, logLevel } from 'kafkajs';
import { openTail } from '../src/cli/tail.ts';
import { runningPid, stackConfig } from '../src/stack/lib.ts';
import { processCpuSeconds, processTree, treeCpuSeconds } from '../src/stack/stack.ts';
import { generateTraffic } from '../src/synthetic/index.ts';
import { parseStatesResponse, transformStateVector } from '../src/transform/index.ts';
import { packageRoot } from '../src/util/package-root.ts';
import { fmt, localStack, memoryMiB, percentile, realOrGenerated, stackCliEnv, unique } from './_util.ts';

const AIRCRAFT = Number(process.env.BENCH_AIRCRAFT ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL = process.env.BENCH_INTERVAL ?? '3s';
const DRAIN_MS = Number(process.env.BENCH_DRAIN_S ?? 120) * 1000;
const RECEIVERS = Number(process.env.BENCH_RECEIVERS ?? 4);
/** `fixture`: the recorded response in ../shared/fixtures, twice; or a path to a recording (NDJSON). */
const REPLAY = process.env.BENCH_REPLAY;
const RSS_EVERY_S = Number(process.env.BENCH_RSS_EVERY_S ?? 0);
const extraBridgeArgs = (process.env.BENCH_BRIDGE_ARGS ?? '').split(/\s+/).filter(Boolean);
const extraProduceArgs = (process.env.BENCH_PRODUCE_ARGS ?? '').split(/\s+/).filter(Boolean);

const stack = await localStack();
const { brokers, aws } = stack;
const cliEnv = stackCliEnv(stack, process.env.BENCH_LOG_LEVEL ?? 'warn');
const cli = join(packageRoot(), 'bin', 'opensky-stream.js');

function run(args: string[]): ChildProcess {
  // As a user's shell runs it: the bin's own shebang (node from PATH: npm run puts the project's first).
  const child = spawn(cli, args, { env: cliEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${args[0]}] ${chunk}`));
  return child;
}

/** A port nobody listens on now (the bridge's metrics server, to see when it is consuming). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Wait until `url` answers 200 (the bridge's /readyz: consuming in its group). */
async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`bridge exited early (${child.exitCode})`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after 120 s`);
}

function runToEnd(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    run(args).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

/** Resident memory of a live process in MiB: its peak (VmHWM) or now (VmRSS). */
function rssMiB(child: ChildProcess, which: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  if (child.exitCode !== null) throw new Error(`the process exited early (${child.exitCode})`);
  return memoryMiB(child.pid!, which);
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

// --- the OpenSky side: moving traffic, and when each expected notification was served ---
const key = (r: { icao24: string; time_position: string | null }) => `${r.icao24}|${r.time_position}`;
/** Expected notification → wall-clock times its snapshot was served (a multiset). */
const served = new Map<string, number[]>();
let expected = 0;
let snapshotsServed = 0;
/** Serve time → snapshot number, to split latency per snapshot (where a slow tail comes from). */
const snapshotAt = new Map<number, number>();
let polling = true;
const traffic = generateTraffic({
  aircraft: AIRCRAFT,
  seed: 7,
  stepSeconds: 3,
  time: Math.floor(Date.now() / 1000),
});
const opensky = createServer((req, res) => {
  if (!req.url?.startsWith('/api/states/all') || !polling) {
    res.writeHead(polling ? 404 : 503).end();
    return;
  }
  const body = traffic.next().value;
  body.time = Math.floor(Date.now() / 1000);
  const now = Date.now();
  // Served first, booked after: the bookkeeping below (10,000 transforms) is the bench's, not the pipeline's,
  // and no notification can be received before it is done (this process's event loop runs it first).
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  for (const sv of parseStatesResponse(body).response.states) {
    const record = transformStateVector(sv);
    if (!record) continue;
    expected++;
    const k = key(record);
    const times = served.get(k);
    if (times) times.push(now);
    else served.set(k, [now]);
  }
  snapshotsServed++;
  snapshotAt.set(now, snapshotsServed);
});
await new Promise<void>((resolve) => opensky.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(opensky.address() as AddressInfo).port}/api`;

/** Replay mode: the recording's in-air records are expected; latency counts from the start. */
function expectRecording(path: string): void {
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    snapshotsServed++;
    for (const sv of parseStatesResponse(JSON.parse(line)).response.states) {
      const record = transformStateVector(sv);
      if (!record) continue;
      expected++;
      const times = served.get(key(record)) ?? [];
      times.push(0);
      served.set(key(record), times);
    }
  }
}
let recording: string | undefined;
let feedLabel = `${fmt(AIRCRAFT)} aircraft every ${INTERVAL} for ${SECONDS} s`;
if (REPLAY) {
  recording = REPLAY;
  if (REPLAY === 'fixture') {
    // Two snapshots of the recorded response, ten seconds apart (kept out of the repository).
    const { body, label } = realOrGenerated();
    recording = join(mkdtempSync(join(tmpdir(), 'bench-e2e-')), 'recording.ndjson');
    writeFileSync(
      recording,
      `${JSON.stringify(body)}\n${JSON.stringify({ ...body, time: body.time + 10 })}\n`,
    );
    feedLabel = `replay of ${label}, twice`;
  } else {
    feedLabel = `replay of ${REPLAY}`;
  }
  expectRecording(recording);
}

// --- deploy, and a queue subscribed to the topic ---
const functionName = unique('bench-e2e-fn');
const topicName = unique('bench-e2e-topic');
const topic = unique('bench-e2e');
await runToEnd(['deploy', '--function-name', functionName, '--topic-name', topicName]);
const sns = new SNSClient(aws);
const sqs = new SQSClient(aws);
const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName }));
// What `tail` and the demo use: a queue subscribed with raw delivery, drained in parallel.
const tail = await openTail({ sns, sqs }, TopicArn!);

// --- receivers ---
const latencies: number[] = [];
const perSnapshot = new Map<number, number[]>();
let delivered = 0;
let duplicates = 0;
let unknown = 0;
let firstReceived = Number.POSITIVE_INFINITY;
let lastReceived = 0;
const receiving = new AbortController();
const draining = tail.drain(
  (messages) => {
    const now = Date.now();
    for (const message of messages) {
      delivered++;
      firstReceived = Math.min(firstReceived, now);
      lastReceived = now;
      const record = JSON.parse(message.Body!) as { icao24: string; time_position: string | null };
      const times = served.get(key(record));
      const at = times?.shift();
      if (at === undefined) {
        if (times) duplicates++;
        else unknown++;
        continue;
      }
      latencies.push(now - (at || started));
      const n = snapshotAt.get(at) ?? 0;
      const list = perSnapshot.get(n);
      if (list) list.push(now - (at || started));
      else perSnapshot.set(n, [now - (at || started)]);
    }
  },
  { signal: receiving.signal, receivers: RECEIVERS, onError: (error) => console.error(`receive: ${error}`) },
);

// --- lag sampling ---
const groupId = unique('bench-e2e-group');
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
let maxLag = 0;
let lastLag = 0;
/** The largest lag since the previous RSS row (bench/soak). */
let lagMark = 0;
const sampleLag = async () => {
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    let lag = 0;
    for (const end of ends) {
      const done = committed?.partitions.find((p) => p.partition === end.partition);
      const at = Number(done?.offset ?? -1);
      lag += Number(end.offset) - (at < 0 ? Number(end.low) : at);
    }
    maxLag = Math.max(maxLag, lag);
    lastLag = lag;
    lagMark = Math.max(lagMark, lag);
  } catch {
    // the topic or group is not there yet
  }
};

// --- run ---
const cfg = stackConfig();
const stackPids = Object.fromEntries(
  ['kafka', 'aws', 'lambda'].map((name) => [name, runningPid(cfg, name)] as const),
);
const cpuOf = (): Record<string, number> => ({
  ...Object.fromEntries(
    Object.entries(stackPids).map(([name, pid]) => [
      // The endpoint's own process; its Lambda runtimes are counted apart (runtimeCpu).
      name === 'lambda' ? 'endpoint' : name,
      pid === undefined ? Number.NaN : name === 'lambda' ? processCpuSeconds(pid) : treeCpuSeconds(pid),
    ]),
  ),
  // This process alone (its children are produce and bridge, counted on their own).
  'this process (receivers, OpenSky server)': ((usage) => (usage.user + usage.system) / 1e6)(
    process.cpuUsage(),
  ),
});
/**
 * CPU of the endpoint's execution environments, per process, sampled every second: a process
 * alive at the start counts from its CPU then, a new one from 0, and one that ends (other
 * functions' environments are reaped when idle) keeps its last sample. Each environment is two
 * processes: AWS's Runtime Interface Emulator (the stack's Runtime API, `rie`) and the Lambda
 * runtime it starts, where the handler runs (`runtime`); only the latter is the product's.
 */
const runtimeCpu = new Map<number, { from: number; last: number; kind: 'rie' | 'runtime' }>();
const RIE_NAME = /^aws-lambda-rie/;
const kindOf = (pid: number): 'rie' | 'runtime' => {
  try {
    return RIE_NAME.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) ? 'rie' : 'runtime';
  } catch {
    return 'runtime';
  }
};
const sampleRuntimes = (atStart = false) => {
  const root = stackPids.lambda;
  if (root === undefined) return;
  for (const pid of processTree(root)) {
    if (pid === root) continue;
    try {
      const cpu = processCpuSeconds(pid);
      const seen = runtimeCpu.get(pid);
      if (seen) seen.last = cpu;
      else runtimeCpu.set(pid, { from: atStart ? cpu : 0, last: cpu, kind: kindOf(pid) });
    } catch {
      // exited meanwhile
    }
  }
};
const runtimesUsed = (which: 'rie' | 'runtime') =>
  [...runtimeCpu.values()].reduce(
    (sum, { from, last, kind }) => (kind === which ? sum + last - from : sum),
    0,
  );
// As a deployment runs: the topic exists (deploy --kafka-bootstrap-servers creates it) and the
// poller is consuming before the feed starts, so the figures are the pipeline's, not the poller's
// start-up (printed on its own line).
await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
const bridgeMetricsPort = await freePort();
const bridgeStarted = Date.now();
const bridge = run([
  'bridge',
  '--function-name',
  functionName,
  '--topic',
  topic,
  '--group-id',
  groupId,
  '--starting-position',
  'TRIM_HORIZON',
  '--metrics-port',
  String(bridgeMetricsPort),
  ...extraBridgeArgs,
]);
await waitReady(`http://127.0.0.1:${bridgeMetricsPort}/readyz`, bridge);
const bridgeReadyMs = Date.now() - bridgeStarted;
const cpuBefore = cpuOf();
sampleRuntimes(true);
const started = Date.now();
const produce = run([
  'produce',
  ...(recording ? ['--replay', recording] : ['--base-url', baseUrl, '--budget', 'off']),
  '--interval',
  INTERVAL,
  '--topic',
  topic,
  ...extraProduceArgs,
]);
/** Peak RSS and CPU of produce and bridge, sampled while they run (a replaying produce exits by itself). */
const processes = { produce: { rss: 0, cpu: 0 }, bridge: { rss: 0, cpu: 0 } };
const sampleProcesses = () => {
  for (const [name, child] of [
    ['produce', produce],
    ['bridge', bridge],
  ] as const) {
    if (child.exitCode !== null) continue;
    try {
      processes[name].rss = Math.max(processes[name].rss, rssMiB(child));
      processes[name].cpu = treeCpuSeconds(child.pid!);
    } catch {
      // exited meanwhile
    }
  }
};
const lagTimer = setInterval(() => {
  sampleProcesses();
  sampleRuntimes();
  void sampleLag();
}, 1000);
/** RSS now, every BENCH_RSS_EVERY_S seconds (bench/soak sets it): flat, or growing? */
const rssRows: Array<{ at: number; produce: number; bridge: number }> = [];
const rssTimer = RSS_EVERY_S
  ? setInterval(() => {
      try {
        const row = {
          at: (Date.now() - started) / 1000,
          produce: rssMiB(produce, 'VmRSS'),
          bridge: rssMiB(bridge, 'VmRSS'),
        };
        rssRows.push(row);
        console.log(
          `RSS at ${fmt(row.at, 0)} s: produce ${fmt(row.produce, 0)} MiB, bridge ${fmt(row.bridge, 0)} MiB (lag ${fmt(maxLagSince())} records)`,
        );
      } catch {
        // a process exited: reported at the end
      }
    }, RSS_EVERY_S * 1000)
  : undefined;
/** The largest lag since the previous RSS row. */
function maxLagSince(): number {
  const seen = Math.max(lagMark, lastLag);
  lagMark = 0;
  return seen;
}
if (recording) await new Promise((resolve) => produce.once('exit', resolve));
else await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
polling = false;
const pollEnded = Date.now();
const deliveredWhilePolling = delivered;
const drainUntil = Date.now() + DRAIN_MS;
while (latencies.length < expected && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 200));
clearInterval(lagTimer);
if (rssTimer) clearInterval(rssTimer);
sampleProcesses();
for (const [name, child] of [
  ['produce', produce],
  ['bridge', bridge],
] as const) {
  if (child.exitCode !== null && !(name === 'produce' && recording && child.exitCode === 0)) {
    console.error(`${name} exited early with code ${child.exitCode}`);
  }
}
const rss = { produce: processes.produce.rss, bridge: processes.bridge.rss };
sampleRuntimes();
const cpuAfter = { ...cpuOf(), produce: processes.produce.cpu, bridge: processes.bridge.cpu };
await Promise.all([stop(produce), stop(bridge)]);
receiving.abort();
await draining;

const windowS = (pollEnded - started) / 1000;
const busyS = (lastReceived - firstReceived) / 1000 || 1;
const maxLatency = latencies.reduce((a, b) => Math.max(a, b), 0);
console.log(
  `feed: ${feedLabel}: ${snapshotsServed} snapshots fetched, ${fmt(expected)} notifications expected (in the air)`,
);
console.log(
  `delivered: ${fmt(latencies.length)} of ${fmt(expected)} (missing ${fmt(expected - latencies.length)}, duplicates ${fmt(duplicates)}, unknown ${fmt(unknown)})`,
);
console.log(
  `latency ${recording ? "from the replay's start" : 'snapshot fetched'} → notification received: p50 ${fmt(percentile(latencies, 50), 0)} ms, p99 ${fmt(percentile(latencies, 99), 0)} ms, max ${fmt(maxLatency, 0)} ms`,
);
if (!recording) {
  const rows = [...perSnapshot.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, list]) => `#${n} ${fmt(percentile(list, 50), 0)}/${fmt(Math.max(...list), 0)}`);
  console.log(`latency per snapshot (p50/max ms): ${rows.join(', ')}`);
  // The first snapshot meets every part cold (JIT, new execution environments, first connections):
  // the steady state is the pipeline's figure once it has run one interval, printed beside the whole.
  const warm = [...perSnapshot.entries()].filter(([n]) => n > 1).flatMap(([, list]) => list);
  if (warm.length) {
    console.log(
      `latency from the second snapshot on (warm): p50 ${fmt(percentile(warm, 50), 0)} ms, p99 ${fmt(percentile(warm, 99), 0)} ms, max ${fmt(
        warm.reduce((a, b) => Math.max(a, b), 0),
        0,
      )} ms`,
    );
  }
}
console.log(
  `throughput: ${fmt(deliveredWhilePolling / windowS, 0)} notifications/s while polling (${fmt(delivered / busyS, 0)}/s first to last received); feed rate ${fmt(expected / windowS, 0)}/s`,
);
console.log(`max consumer lag: ${fmt(maxLag)} records`);
console.log(
  `bridge start-up: consuming ${fmt(bridgeReadyMs, 0)} ms after it was started (before the feed began)`,
);
const perNotification = (seconds: number) => fmt((seconds * 1e6) / Math.max(1, delivered), 0);
const cpuUsed: Record<string, number> = Object.fromEntries(
  Object.entries(cpuAfter).map(([name, after]) => [name, after - (cpuBefore[name] ?? 0)]),
);
const usedBy = (name: string) => cpuUsed[name] ?? Number.NaN;
cpuUsed.rie = runtimesUsed('rie');
cpuUsed.runtimes = runtimesUsed('runtime');
const labels: Record<string, string> = {
  endpoint: 'endpoint (router, SNS, SQS)',
  rie: "endpoint's Runtime API (AWS's emulator, RIE)",
  runtimes: 'Lambda runtimes (the handler)',
  aws: 'moto',
};
let cpuTotal = 0;
const cpuRows = Object.entries(cpuUsed).map(([name, used]) => {
  cpuTotal += Number.isNaN(used) ? 0 : used;
  return `  ${labels[name] ?? name}: ${fmt(used, 1)} s, ${perNotification(used)} µs/notification`;
});
// The product's own share (issue 18's goal): what users run, apart from the stack and this bench.
const product = usedBy('produce') + usedBy('bridge') + usedBy('runtimes');
console.log(
  `CPU used (${fmt(cpuTotal, 1)} s, ${perNotification(cpuTotal)} µs/notification in all):\n${cpuRows.join('\n')}`,
);
console.log(`product CPU (produce + bridge + handler): ${perNotification(product)} µs/notification`);
console.log(`peak RSS: produce ${fmt(rss.produce, 0)} MiB, bridge ${fmt(rss.bridge, 0)} MiB`);
if (rssRows.length >= 2) {
  // Flat means: the second half of the run holds no more than the first half's peak, give or take 10 %.
  const half = Math.floor(rssRows.length / 2);
  for (const name of ['produce', 'bridge'] as const) {
    const early = Math.max(...rssRows.slice(0, half).map((r) => r[name]));
    const late = Math.max(...rssRows.slice(half).map((r) => r[name]));
    console.log(
      `RSS ${name}: first half peak ${fmt(early, 0)} MiB, second half peak ${fmt(late, 0)} MiB: ${late <= early * 1.1 ? 'flat' : 'GROWING'}`,
    );
  }
}

await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] }).catch(() => undefined);
await admin.disconnect();
await tail.close();
await sns.send(new DeleteTopicCommand({ TopicArn }));
await new LambdaClient(aws).send(new DeleteFunctionCommand({ FunctionName: functionName }));
opensky.close();
process.exit(latencies.length === expected ? 0 : 1);
