import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueName } from '../support/env.ts';

describe('stack: Kafka broker', () => {
  const kafka = new Kafka({ clientId: 'stack-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = uniqueName('stack-kafka');

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("creates a topic on first use, as Kafka and the seed's broker do (KAFKA_AUTO_CREATE_TOPICS=false turns it off)", async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 5 } });
    const fresh = uniqueName('created-on-use');
    await producer.connect();
    try {
      await producer.send({ topic: fresh, messages: [{ value: 'x' }], timeout: 10_000 });
      expect(await admin.listTopics()).toContain(fresh);
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [fresh] })).topics;
      expect(metadata?.partitions).toHaveLength(3); // the broker's num.partitions
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [fresh] }).catch(() => undefined);
    }
  });

  it('produces with an idempotent producer and consumes in a group, keys, headers and per-key order intact', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({
      key: `aircraft-${i % 7}`,
      value: JSON.stringify({ seq: i, key: i % 7 }),
      headers: { source: 'stack-test', seq: String(i) },
    }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const groupId = uniqueName('stack-group');
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; seq: number; headers: Record<string, string>; partition: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message, partition }) => {
            received.push({
              key: message.key!.toString(),
              seq: (JSON.parse(message.value!.toString()) as { seq: number }).seq,
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              ),
              partition,
            });
            await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    expect(received).toHaveLength(sent.length);
    for (const message of received) {
      expect(message.key).toBe(`aircraft-${message.seq % 7}`);
      expect(message.headers).toEqual({ source: 'stack-test', seq: String(message.seq) });
    }
    // One key always lands on one partition, in the order it was sent.
    for (let k = 0; k < 7; k++) {
      const ofKey = received.filter((m) => m.key === `aircraft-${k}`);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.seq)).toEqual([...ofKey.map((m) => m.seq)].sort((a, b) => a - b));
    }
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(total).toBe(sent.length);
  });
});
