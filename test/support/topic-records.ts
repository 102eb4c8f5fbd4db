/**
 * Reading back what `produce` wrote: every record of a topic from the start,
 * decoded (key, JSON value, headers as text).
 */
import type { StateVectorMessage } from '../../src/domain/types.ts';
import { createKafkaClient } from '../../src/kafka/client.ts';
import { kafkaBrokers, uniqueName } from './env.ts';

export interface ReadRecord {
  key: string;
  value: StateVectorMessage;
  headers: Record<string, string>;
}

/**
 * Every record of `topic` from the start, until `count` have arrived (rejects after
 * `timeoutMs` with fewer). Without `count`: until the topic's high watermarks, read once.
 */
export async function readTopic(topic: string, count?: number, timeoutMs = 60_000): Promise<ReadRecord[]> {
  // The library's client: kafkajs with the request-queue fix (no TimeoutNegativeWarning on Node 24).
  const kafka = createKafkaClient({ brokers: kafkaBrokers() });
  let want = count;
  if (want === undefined) {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    want = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  }
  const out: ReadRecord[] = [];
  if (want === 0) return out;
  const consumer = kafka.consumer({ groupId: uniqueName('records-reader') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${want} records`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          out.push({
            key: message.key!.toString('utf8'),
            value: JSON.parse(message.value!.toString('utf8')),
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
            ),
          });
          if (out.length >= want) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Delete topics a test made (a missing one is fine). */
export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = createKafkaClient({ brokers: kafkaBrokers() }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}
