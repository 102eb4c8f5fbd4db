/**
 * Run as its own Node process by test/integration/node24-warnings.test.ts:
 * one message produced and consumed through the library's Kafka client, so the
 * test sees exactly what such a program prints on stderr.
 * Usage: node kafka-roundtrip.ts <brokers> <topic>
 */
import { createKafkaClient, ensureTopic } from '../../src/kafka/index.ts';

const [brokers = '127.0.0.1:9092', topic = 'roundtrip'] = process.argv.slice(2);
const kafka = createKafkaClient({ brokers: brokers.split(','), clientId: 'roundtrip' });
await ensureTopic(kafka, { topic, partitions: 1 });
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
await producer.disconnect();

const consumer = kafka.consumer({ groupId: `${topic}-group`, sessionTimeout: 10_000 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const value = await new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
  consumer
    .run({
      eachMessage: async ({ message }) => {
        clearTimeout(timer);
        resolve(message.value?.toString() ?? '');
      },
    })
    .catch(reject);
});
await consumer.disconnect();
process.stdout.write(`${value}\n`);
