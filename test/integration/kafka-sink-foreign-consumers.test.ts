/**
 * What KafkaSink writes, read by consumers we did not write: confluent-kafka (librdkafka) and
 * kafka-python. The sink runs on kafkajs with this package's produce encoding
 * (src/kafka/kafkajs-produce-fix.ts: pooled buffers, records written with their headers in
 * place), gzip and idempotent as `produce` sends; each client must read back every record,
 * keys, values and headers intact, and each aircraft's records in the order they were written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaSink } from '../../src/kafka/index.ts';
import { kafkajsFixes } from '../../src/kafka/kafkajs.ts';
import { snapshotMessages } from '../../src/kafka/messages.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { kafkaBrokers, uniqueName } from '../support/env.ts';
import { type PythonTools, pythonTools } from '../support/python-tools.ts';
import { deleteTopics } from '../support/topic-records.ts';

// Reads topic argv[2] at brokers argv[1] from the start with client argv[3] until argv[4]
// records came; prints one JSON line per record: [partition, key, value, [[header, value]…]].
const consumerScript = `
import json, sys, time, uuid
brokers, topic, client, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
dec = lambda b: None if b is None else b.decode('utf-8')
out, deadline = [], time.time() + 60
if client == 'confluent-kafka':
    from confluent_kafka import Consumer
    c = Consumer({'bootstrap.servers': brokers, 'group.id': str(uuid.uuid4()), 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    while len(out) < expected and time.time() < deadline:
        m = c.poll(1.0)
        if m is None: continue
        if m.error(): sys.exit(str(m.error()))
        out.append([m.partition(), dec(m.key()), dec(m.value()), [[k, dec(v)] for k, v in (m.headers() or [])]])
    c.close()
else:
    from kafka import KafkaConsumer
    c = KafkaConsumer(topic, bootstrap_servers=brokers, group_id=str(uuid.uuid4()), auto_offset_reset='earliest')
    while len(out) < expected and time.time() < deadline:
        for records in c.poll(timeout_ms=1000).values():
            for m in records:
                out.append([m.partition, dec(m.key), dec(m.value), [[k, dec(v)] for k, v in m.headers]])
    c.close()
for row in out: print(json.dumps(row))
`;

type Row = [number, string, string, Array<[string, string]>];

describe('KafkaSink read by confluent-kafka and kafka-python', () => {
  const topic = uniqueName('sink-foreign');
  let python: PythonTools;
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  // The same fleet twice, 3 s apart: every aircraft has a record in each snapshot.
  const snapshots = [1722515700, 1722515703].map(
    (time) => parseStatesResponse(generateSnapshot({ aircraft: 2000, seed: 42, time })).response,
  );
  const expected = snapshots.flatMap((snapshot) =>
    snapshotMessages(snapshot, { source: 'opensky-stream', traceparent }),
  );

  beforeAll(async () => {
    python = await pythonTools();
    await using sink = new KafkaSink({ brokers: kafkaBrokers(), topic, source: 'opensky-stream' });
    await sink.ensureTopic({ partitions: 3 });
    for (const snapshot of snapshots) await sink.write(snapshot, { traceparent });
    await sink.flush();
    expect(sink.stats.messages).toBe(expected.length);
  }, 300_000);

  afterAll(() => deleteTopics([topic]));

  it('writes through the fixed kafkajs encoding', () => {
    expect(kafkajsFixes.produce).toEqual({ methods: true, modules: true });
  });

  for (const client of ['confluent-kafka', 'kafka-python']) {
    it(`${client} reads every record back, keys, values and headers intact, each aircraft's in order`, async () => {
      const out = await python.run(
        consumerScript,
        [kafkaBrokers().join(','), topic, client, String(expected.length)],
        {
          timeoutMs: 120_000,
        },
      );
      const rows = out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Row);
      expect(rows).toHaveLength(expected.length);
      const read = rows.map(([, key, value, headers]) => JSON.stringify([key, value, headers])).sort();
      const written = expected.map((m) => JSON.stringify([m.key, m.value, Object.entries(m.headers)])).sort();
      expect(read).toEqual(written);
      // Per aircraft, the first snapshot's record before the second's (the sink's order promise).
      const seen = new Map<string, number[]>();
      for (const [, key, value] of rows) {
        const times = seen.get(key) ?? [];
        times.push((JSON.parse(value) as { snapshot_time: number }).snapshot_time);
        seen.set(key, times);
      }
      expect(seen.size).toBe(expected.length / 2);
      for (const [key, times] of seen) expect(times, key).toEqual(snapshots.map((s) => s.time));
    });
  }
});
