import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlightRecord, StateVector } from '../../src/domain/types.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { syntheticSnapshots } from '../../src/synthetic/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { subscribeQueue } from '../support/sqs.ts';

describe('Function: createPipeline', () => {
  const sns = new SNSClient(awsClientConfig());
  const topics: string[] = [];
  const kafkaTopics: string[] = [];
  afterAll(async () => {
    for (const TopicArn of topics)
      await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: kafkaTopics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('in-process: snapshots → transform → SNS, counting filtered records, nothing lost', async () => {
    const seen: StateVector[] = [];
    const source = (async function* () {
      for await (const snapshot of syntheticSnapshots({ aircraft: 150, maxSnapshots: 2, seed: 3 })) {
        seen.push(...snapshot.states);
        yield snapshot;
      }
    })();
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('InProcess') }))).TopicArn!;
    topics.push(topicArn);
    const queue = await subscribeQueue(topicArn);
    const pipeline = createPipeline({ mode: 'in-process', source, publisher: { topicArn, client: sns } });
    await pipeline.run();

    const expected = seen.map((sv) => transformStateVector(sv)).filter((r): r is FlightRecord => r !== null);
    expect(pipeline.stats).toMatchObject({
      snapshots: 2,
      states: seen.length,
      published: expected.length,
      filtered: seen.length - expected.length,
      malformed: 0,
      publishFailed: 0,
    });
    const received = await queue.receive(expected.length, 60_000);
    await queue.close();
    expect(received.map((m) => m.Body!).sort()).toEqual(expected.map((r) => JSON.stringify(r)).sort());
  });

  it('produce: stops gracefully on stop() and flushes what it accepted', async () => {
    const topic = uniqueName('pipeline-produce');
    kafkaTopics.push(topic);
    const pipeline = createPipeline({
      mode: 'produce',
      source: syntheticSnapshots({ aircraft: 200, intervalMs: 100, seed: 4 }),
      sink: { brokers: kafkaBrokers(), topic },
    });
    const snapshots: number[] = [];
    pipeline.on('snapshot', ({ time }) => {
      snapshots.push(time);
      if (snapshots.length === 3) void pipeline.stop();
    });
    await pipeline.run();
    await pipeline.stop();
    expect(pipeline.stats.snapshots).toBeGreaterThanOrEqual(3);
    expect(pipeline.stats.sink?.messages).toBe(pipeline.stats.states);

    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(pipeline.stats.states);
  });
});
