import { inspect } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaSink } from '../../src/kafka/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { kafkaBrokers, uniqueName } from '../support/env.ts';

describe('KafkaSink on the local broker', () => {
  const topic = uniqueName('sink');
  const kafka = new Kafka({ clientId: 'sink-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces a snapshot as one message per aircraft, read back intact', async () => {
    const sink = new KafkaSink({ brokers: kafkaBrokers(), topic });
    expect(await sink.ensureTopic({ partitions: 3 })).toBe('created');
    expect(await sink.ensureTopic({ partitions: 3 })).toBe('exists');
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 500, seed: 5 }));
    await sink.write(response, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await sink.close();
    expect(sink.stats).toMatchObject({ messages: 500, batches: 1, errors: 0 });

    const consumer = kafka.consumer({ groupId: uniqueName('sink-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Map<string, { value: unknown; headers: Record<string, string> }>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.set(message.key!.toString(), {
              value: JSON.parse(message.value!.toString()),
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              ),
            });
            if (received.size === 500) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    for (const sv of response.states) {
      const got = received.get(sv.icao24)!;
      expect(got.value).toEqual({ ...sv, snapshot_time: response.time });
      expect(got.headers).toEqual({
        source: 'opensky-stream',
        'snapshot-time': String(response.time),
        'content-type': 'application/json',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
    }
  });

  it('fails clearly on a topic that does not exist (no auto-creation)', async () => {
    const sink = new KafkaSink({
      brokers: kafkaBrokers(),
      topic: uniqueName('absent'),
      requestTimeoutMs: 3000,
    });
    await sink.write({
      time: 1,
      states: parseStatesResponse(generateSnapshot({ aircraft: 1 })).response.states,
    });
    await expect(sink.flush()).rejects.toMatchObject({ code: 'OSS_KAFKA' });
    await sink.close().catch(() => undefined);
  }, 90_000);

  it('never shows the SASL password in its errors or logs when authentication fails', async () => {
    const sentinel = 'S3NT1NEL-kafka-5e1d';
    const lines: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    // The local broker's listener is PLAINTEXT: it refuses the SASL handshake.
    const sink = new KafkaSink({
      brokers: kafkaBrokers(),
      topic: uniqueName('sasl'),
      sasl: { mechanism: 'plain', username: 'someone', password: sentinel },
      logger: { debug: log, info: log, warn: log, error: log },
    });
    const error = await sink.ensureTopic().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await sink.close().catch(() => undefined);
    expect(error).toBeDefined();
    const shown = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })} ${lines.join('\n')}`;
    expect(shown).not.toMatch(/S3NT1NEL|5e1d/);
  }, 90_000);
});
