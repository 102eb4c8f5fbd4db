import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlightRecord, StateVectorMessage } from '../../src/domain/types.ts';
import { generateTraffic, type RawStatesBody } from '../../src/synthetic/index.ts';
import { parseTraceparent, TRACEPARENT } from '../../src/tracing/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { removePipelineResources } from '../support/cleanup.ts';
import { runCli, startCli } from '../support/cli.ts';
import { cliEnv, kafkaBrokers, pipelineNames, uniqueName } from '../support/env.ts';
import { type OpenSkyTestServer, startOpenSkyServer } from '../support/opensky-server.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';
import { deleteTopics } from '../support/topic-records.ts';

const AIRCRAFT = 40;
const SNAPSHOTS = 2;

/** Every record of `topic`, from the start: its body as the Lambda would publish it, and its traceparent header. */
async function readTopic(
  topic: string,
  count: number,
): Promise<Array<{ body: string | null; traceparent: string }>> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('trace-reader') });
  const out: Array<{ body: string | null; traceparent: string }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${count} records`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value!.toString('utf8')) as StateVectorMessage;
          const record = transformStateVector(value);
          out.push({
            body: record ? JSON.stringify(record) : null,
            traceparent: String(message.headers?.[TRACEPARENT] ?? ''),
          });
          if (out.length >= count) {
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

describe('trace context: produce → Kafka → bridge → reference Lambda → SNS → SQS attributes', () => {
  const names = pipelineNames('trace');
  const env = cliEnv();
  const snapshots: RawStatesBody[] = [];
  let server: OpenSkyTestServer;
  let topicArn = '';
  let queue: Subscription;

  beforeAll(async () => {
    const traffic = generateTraffic({
      aircraft: AIRCRAFT,
      seed: 21,
      stepSeconds: 10,
      time: Math.floor(Date.now() / 1000) - 60,
    });
    for (let i = 0; i < SNAPSHOTS; i++) snapshots.push(traffic.next().value);
    server = await startOpenSkyServer({ reply: (n) => ({ body: snapshots[Math.min(n, SNAPSHOTS - 1)] }) });
    // The reference function, bundled from these sources, as `deploy` ships it.
    const deployed = await runCli(
      ['deploy', '--function-name', names.fn, '--topic-name', names.snsTopic],
      env,
      240_000,
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    topicArn = (JSON.parse(deployed.stdout) as { topicArn: string }).topicArn;
    queue = await subscribeQueue(topicArn, { raw: true });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await queue?.close();
    await removePipelineResources({ functionName: names.fn, topicArn, kafkaTopic: names.topic });
  });

  it('every notification carries the trace id produce started for its snapshot', async () => {
    // Arrange: produce the snapshots, and read back the trace context produce put in Kafka.
    const produce = await runCli(
      [
        'produce',
        '--base-url',
        server.baseUrl,
        '--interval',
        '300ms',
        '--max-snapshots',
        String(SNAPSHOTS),
        '--topic',
        names.topic,
      ],
      env,
      120_000,
    );
    expect(produce.code, produce.stderr).toBe(0);
    const produced = await readTopic(names.topic, SNAPSHOTS * AIRCRAFT);
    const started = new Set(produced.map((r) => r.traceparent));
    // One trace per snapshot, sampled, in every record of it.
    expect(started.size).toBe(SNAPSHOTS);
    for (const value of started) expect(parseTraceparent(value)?.flags).toBe(1);
    const traceIdsByBody = new Map<string, Set<string>>();
    for (const { body, traceparent } of produced) {
      if (body === null) continue;
      const ids = traceIdsByBody.get(body) ?? new Set<string>();
      ids.add(parseTraceparent(traceparent)!.traceId);
      traceIdsByBody.set(body, ids);
    }
    const expected = produced.filter((r) => r.body !== null).length;

    // Act: the bridge invokes the reference Lambda, which publishes to SNS → SQS (raw delivery).
    const bridge = startCli(
      [
        'bridge',
        '--function-name',
        names.fn,
        '--topic',
        names.topic,
        '--group-id',
        names.group,
        '--starting-position',
        'TRIM_HORIZON',
      ],
      env,
    );
    const received = await queue.receive(expected, 180_000);
    const stopped = await bridge.stop();
    expect(stopped.code, stopped.stderr).toBe(0);

    // Assert: each message's traceparent attribute names the trace of its own snapshot.
    expect(received).toHaveLength(expected);
    const seen = new Set<string>();
    for (const message of received) {
      const attribute = message.MessageAttributes?.[TRACEPARENT];
      expect(attribute?.DataType).toBe('String');
      const context = parseTraceparent(attribute?.StringValue);
      expect(context, attribute?.StringValue).toBeDefined();
      expect(traceIdsByBody.get(message.Body!)).toContain(context!.traceId);
      expect(message.MessageAttributes?.origin_country?.StringValue).toBe(
        (JSON.parse(message.Body!) as FlightRecord).origin_country,
      );
      seen.add(context!.traceId);
    }
    expect(seen).toEqual(new Set([...started].map((value) => parseTraceparent(value)!.traceId)));
  }, 400_000);
  it.each([
    { how: '--no-trace-context', args: ['--no-trace-context'], extra: {} },
    { how: 'PRODUCE_TRACE_CONTEXT=false', args: [], extra: { PRODUCE_TRACE_CONTEXT: 'false' } },
  ])(
    'produce with $how puts no traceparent in any message',
    async ({ args, extra }) => {
      const topic = uniqueName('trace-off');
      const produce = await runCli(
        ['produce', '--base-url', server.baseUrl, '--max-snapshots', '1', '--topic', topic, ...args],
        { ...env, ...extra },
        120_000,
      );
      try {
        expect(produce.code, produce.stderr).toBe(0);
        const produced = await readTopic(topic, AIRCRAFT);
        expect(produced).toHaveLength(AIRCRAFT);
        expect(produced.filter((r) => r.traceparent !== '')).toEqual([]);
      } finally {
        await deleteTopics([topic]);
      }
    },
    180_000,
  );
});
