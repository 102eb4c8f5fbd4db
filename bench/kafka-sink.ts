/**
 * KafkaSink against the local broker: snapshots of 10,000 state vectors,
 * gzip vs none. Prints messages/s and MB/s.
 *   npm run bench -- kafka-sink
 */
import { Kafka, logLevel } from 'kafkajs';
import { KafkaSink } from '../src/kafka/index.ts';
import { generateTraffic } from '../src/synthetic/index.ts';
import { parseStatesResponse } from '../src/transform/index.ts';
import { fmt, localStack, unique } from './_util.ts';

const AIRCRAFT = 10_000;
const SNAPSHOTS = 10;
const { brokers } = await localStack();
const traffic = generateTraffic({ aircraft: AIRCRAFT, seed: 4 });
const snapshots = Array.from({ length: SNAPSHOTS }, () => parseStatesResponse(traffic.next().value).response);
const topics: string[] = [];
for (const compression of ['gzip', 'none'] as const) {
  const topic = unique(`bench-sink-${compression}`);
  topics.push(topic);
  const sink = new KafkaSink({ brokers, topic, compression });
  await sink.ensureTopic({ partitions: 3 });
  await sink.write(snapshots[0]!); // connect + warm up
  await sink.flush();
  const started = performance.now();
  for (const snapshot of snapshots) await sink.write(snapshot);
  await sink.close();
  const seconds = (performance.now() - started) / 1000;
  const messages = AIRCRAFT * SNAPSHOTS;
  console.log(
    `${compression.padEnd(5)} ${fmt(messages / seconds).padStart(9)} messages/s  ${fmt(sink.stats.bytes / seconds / 1e6, 1)} MB/s of JSON  ` +
      `(${SNAPSHOTS} snapshots × ${fmt(AIRCRAFT)} in ${fmt(seconds, 2)} s, ${fmt((seconds / SNAPSHOTS) * 1000)} ms per snapshot)`,
  );
}
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.deleteTopics({ topics });
await admin.disconnect();
