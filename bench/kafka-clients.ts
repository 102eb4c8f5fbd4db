/**
 * kafkajs and @platformatic/kafka behind the client seam, side by side on the
 * local broker: the same 10,000-aircraft snapshot (records as produce encodes
 * them: key icao24, JSON value, the sink's headers), produced ROUNDS times in
 * the sink's sends (≤ maxSendBytes each, idempotent, acks -1, gzip), then
 * consumed in a group with a commit per batch. Prints records/s, CPU µs per
 * record and RSS for each phase, and the ratios platformatic / kafkajs.
 *
 * Each client and phase runs in a child process of its own, one after the
 * other, so CPU and RSS are that client's alone (the broker is another process).
 * kafkajs runs as this package loads it (src/kafka/kafkajs.ts); one more produce
 * run takes kafkajs as released (OPENSKY_STREAM_KAFKAJS_PRODUCE_FIX=off) for the fix's ratio.
 *   npm run bench -- kafka-clients
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createKafkaClientSeam,
  type KafkaClientName,
  KafkaClientNames,
  type ProduceRecord,
} from '../src/kafka/clients/index.ts';
import { chunkMessages, snapshotMessages } from '../src/kafka/messages.ts';
import { defaultKafkaSinkOptions } from '../src/kafka/sink-options.ts';
import { generateSnapshot } from '../src/synthetic/index.ts';
import { parseStatesResponse } from '../src/transform/index.ts';
import { fmt, localStack, unique } from './_util.ts';

const AIRCRAFT = 10_000;
const ROUNDS = 10;
const RECORDS = AIRCRAFT * ROUNDS;

interface PhaseResult {
  records: number;
  seconds: number;
  cpuMs: number;
  rssPeakMiB: number;
  rssStartMiB: number;
  digest?: string;
  /** Consume: seconds from run() to the first batch (joining the group), and records/s after it. */
  joinSeconds?: number;
  steadyPerSecond?: number;
}

/** The snapshot's sends, as KafkaSink makes them; the same for every client (fixed seed). */
function snapshotSends(): { sends: ProduceRecord[][]; digest: string } {
  const { response } = parseStatesResponse(generateSnapshot({ aircraft: AIRCRAFT, seed: 18 }));
  const messages = snapshotMessages(response, { source: 'bench' });
  const hash = createHash('sha256');
  for (const m of messages) hash.update(`${m.key}\n${m.value}\n`);
  const sends = chunkMessages(messages, defaultKafkaSinkOptions.maxSendBytes).map((chunk) =>
    chunk.messages.map((m) => ({
      key: m.key as string,
      value: m.value as string,
      headers: m.headers as Record<string, string>,
    })),
  );
  return { sends, digest: hash.digest('hex').slice(0, 12) };
}

/** Measure `work`: wall time, this process's CPU, and its peak RSS (sampled every 20 ms). */
async function measure(records: number, work: () => Promise<void>): Promise<PhaseResult> {
  globalThis.gc?.();
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 20);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  return {
    records,
    seconds,
    cpuMs: (used.user + used.system) / 1000,
    rssPeakMiB: rssPeak / 2 ** 20,
    rssStartMiB: rssStart / 2 ** 20,
  };
}

async function child(name: KafkaClientName, phase: 'produce' | 'consume', topic: string): Promise<void> {
  const { brokers } = await localStack();
  const client = createKafkaClientSeam({ brokers, client: name });
  let result: PhaseResult;
  if (phase === 'produce') {
    const { sends, digest } = snapshotSends();
    const producer = client.producer();
    await producer.connect();
    await producer.send(topic, sends[0]!.slice(0, 10)); // warm: connection, metadata, producer id
    result = await measure(RECORDS, async () => {
      for (let round = 0; round < ROUNDS; round++) for (const send of sends) await producer.send(topic, send);
    });
    result.digest = digest;
    await producer.disconnect();
  } else {
    // The bridge's fetch settings with its default batching window (0.5 s).
    const consumer = client.consumer({
      groupId: `${topic}-reader`,
      maxWaitTimeMs: 500,
      minBytes: 64 * 1024,
      maxBytesPerPartition: 8 * 2 ** 20,
    });
    await consumer.connect();
    await consumer.subscribe(topic, { fromBeginning: true });
    const total = RECORDS + 10;
    let seen = 0;
    let first = 0;
    let firstRecords = 0;
    let last = 0;
    const started = performance.now();
    result = await measure(total, async () => {
      await new Promise<void>((resolve, reject) => {
        consumer.on('crash', reject);
        consumer
          .run({
            partitionsConsumedConcurrently: 3,
            eachBatch: async ({ topic: t, partition, records }) => {
              if (first === 0) {
                first = performance.now();
                firstRecords = records.length;
              }
              seen += records.length;
              const end = records[records.length - 1]!;
              await consumer.commit([{ topic: t, partition, offset: String(BigInt(end.offset) + 1n) }]);
              if (seen >= total) {
                last = performance.now();
                resolve();
              }
            },
          })
          .catch(reject);
      });
    });
    await consumer.disconnect();
    result.joinSeconds = (first - started) / 1000;
    result.steadyPerSecond = (total - firstRecords) / ((last - first) / 1000);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runChild(
  name: KafkaClientName,
  phase: 'produce' | 'consume',
  topic: string,
  env: NodeJS.ProcessEnv = {},
): PhaseResult {
  const out = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), 'child', name, phase, topic],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
      env: { ...process.env, ...env },
    },
  );
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{'))
    throw new Error(`${name} ${phase} failed (status ${out.status})`);
  return JSON.parse(line) as PhaseResult;
}

if (process.argv[2] === 'child') {
  await child(process.argv[3] as KafkaClientName, process.argv[4] as 'produce' | 'consume', process.argv[5]!);
} else {
  const { brokers } = await localStack();
  const admin = createKafkaClientSeam({ brokers }).admin();
  await admin.connect();
  const topics: string[] = [];
  const results = new Map<string, PhaseResult>();
  for (const name of KafkaClientNames) {
    const topic = unique(`bench-clients-${name}`);
    topics.push(topic);
    await admin.createTopic({ topic, partitions: 3 });
    results.set(`${name} produce`, runChild(name, 'produce', topic));
    results.set(`${name} consume`, runChild(name, 'consume', topic));
  }
  // kafkajs as released: without the produce encoding fix src/kafka/kafkajs.ts applies.
  const released = unique('bench-clients-kafkajs-released');
  topics.push(released);
  await admin.createTopic({ topic: released, partitions: 3 });
  const releasedProduce = runChild('kafkajs', 'produce', released, {
    OPENSKY_STREAM_KAFKAJS_PRODUCE_FIX: 'off',
  });
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.disconnect();

  const digest = results.get('kafkajs produce')?.digest;
  console.log(
    `${fmt(AIRCRAFT)}-record snapshot (sha256 ${digest}, the same for both) × ${ROUNDS} = ${fmt(RECORDS)} records; ` +
      'idempotent, acks -1, gzip, 3 partitions; consume: one group, commit per batch',
  );
  const perRecordUs = (r: PhaseResult) => (r.cpuMs * 1000) / r.records;
  for (const [label, r] of results) {
    console.log(
      `${label.padEnd(22)} ${fmt(r.records / r.seconds).padStart(8)} records/s  ` +
        `${fmt(perRecordUs(r), 1).padStart(5)} µs CPU/record  ` +
        `RSS peak ${fmt(r.rssPeakMiB).padStart(4)} MiB (${fmt(r.rssStartMiB)} MiB before)  ` +
        `${fmt(r.seconds, 2)} s` +
        (r.joinSeconds === undefined
          ? ''
          : ` (${fmt(r.joinSeconds, 2)} s to the first batch, then ${fmt(r.steadyPerSecond!)} records/s)`),
    );
  }
  const fixed = results.get('kafkajs produce')!;
  console.log(
    `kafkajs as released, produce: ${fmt(releasedProduce.records / releasedProduce.seconds)} records/s  ` +
      `${fmt(perRecordUs(releasedProduce), 1)} µs CPU/record  RSS peak ${fmt(releasedProduce.rssPeakMiB)} MiB; ` +
      `with the fix: records/s ×${fmt(fixed.records / fixed.seconds / (releasedProduce.records / releasedProduce.seconds), 2)}  ` +
      `CPU/record ×${fmt(perRecordUs(fixed) / perRecordUs(releasedProduce), 2)}`,
  );
  for (const phase of ['produce', 'consume']) {
    const k = results.get(`kafkajs ${phase}`)!;
    const p = results.get(`platformatic ${phase}`)!;
    console.log(
      `platformatic / kafkajs, ${phase.padEnd(7)}: records/s ×${fmt(p.records / p.seconds / (k.records / k.seconds), 2)}  ` +
        `CPU/record ×${fmt(perRecordUs(p) / perRecordUs(k), 2)}  RSS peak ×${fmt(p.rssPeakMiB / k.rssPeakMiB, 2)}` +
        (k.steadyPerSecond
          ? `  records/s after the first batch ×${fmt(p.steadyPerSecond! / k.steadyPerSecond, 2)}`
          : ''),
    );
  }
}
