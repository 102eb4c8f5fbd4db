import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LambdaInvoker } from '../../src/bridge/invoker.ts';
import type { StateVectorMessage } from '../../src/domain/types.ts';
import { KafkaSink } from '../../src/kafka/index.ts';
import { groupLag } from '../../src/kafka/lag.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { type BundleOptions, deployTestFunction } from '../support/lambda-fixtures.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';
import { deleteTopics } from '../support/topic-records.ts';

// A function written with Powertools for AWS Lambda, as one would deploy it on AWS: the
// parser's KafkaSelfManagedEventSchema checks the event, the Kafka utility's kafkaConsumer
// decodes each value as JSON and validates it with a zod schema. It reports every record it
// decoded (one SNS message per invocation) and fails the records at FAIL_OFFSETS the first
// time it sees them (MARKER_DIR remembers which: the function runs on this machine), with a
// partial-batch response in AWS's format.
const powertoolsHandler = `
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaConsumer, SchemaType } from '@aws-lambda-powertools/kafka';
import type { SchemaConfig } from '@aws-lambda-powertools/kafka/types';
import { KafkaSelfManagedEventSchema } from '@aws-lambda-powertools/parser/schemas/kafka';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { z } from 'zod';

const StateVector = z.object({
  icao24: z.string().regex(/^[0-9a-f]{6}$/),
  callsign: z.string().nullable(),
  origin_country: z.string().min(1),
  last_contact: z.number().int(),
  longitude: z.number().min(-180).max(180).nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  on_ground: z.boolean(),
  snapshot_time: z.number().int(),
});

const schemaConfig = {
  value: { type: SchemaType.JSON, parserSchema: StateVector },
} satisfies SchemaConfig;

const sns = new SNSClient({});
const failOffsets = new Set((process.env.FAIL_OFFSETS ?? '').split(',').filter(Boolean).map(Number));

/** True the first time a record at one of FAIL_OFFSETS arrives. */
function failsNow(topic: string, partition: number, offset: number): boolean {
  if (!failOffsets.has(offset)) return false;
  const marker = join(process.env.MARKER_DIR ?? '', topic + '-' + partition + '-' + offset);
  if (existsSync(marker)) return false;
  writeFileSync(marker, '');
  return true;
}

const consume = kafkaConsumer<string, z.infer<typeof StateVector>>(async (event) => {
  const delivered = [];
  const batchItemFailures = [];
  for (const record of event.records) {
    delivered.push({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      value: record.value,
    });
    if (failsNow(record.topic, record.partition, record.offset)) {
      batchItemFailures.push({
        // AWS's key is "partition" (Powertools for Python 3.37); its first Kafka release said "topic-partition".
        itemIdentifier: { [process.env.ITEM_KEY ?? 'partition']: record.topic + '-' + record.partition, offset: record.offset },
      });
    }
  }
  return { delivered, batchItemFailures };
}, schemaConfig);

export const handler = async (event: unknown, context: Context) => {
  const envelope = KafkaSelfManagedEventSchema.parse(event);
  const { delivered, batchItemFailures } = (await consume(event as never, context)) as {
    delivered: unknown[];
    batchItemFailures: unknown[];
  };
  await sns.send(
    new PublishCommand({
      TopicArn: process.env.REPORT_TOPIC,
      Message: JSON.stringify({
        requestId: context.awsRequestId,
        module: typeof module === 'object' && module !== null ? 'commonjs' : 'module',
        eventSource: envelope.eventSource,
        bootstrapServers: envelope.bootstrapServers,
        envelopeRecords: Object.values(envelope.records).flat().length,
        delivered,
        failed: batchItemFailures,
      }),
    }),
  );
  return { batchItemFailures };
};`;

interface Delivered {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Record<string, unknown>;
}

interface Report {
  requestId: string;
  module: 'commonjs' | 'module';
  eventSource: string;
  bootstrapServers: string[];
  envelopeRecords: number;
  delivered: Delivered[];
  failed: Array<{ itemIdentifier: { partition?: string; 'topic-partition'?: string; offset: number } }>;
}

/** The fields the function's schema keeps, as the test produced them. */
const validated = (message: StateVectorMessage) => ({
  icao24: message.icao24,
  callsign: message.callsign,
  origin_country: message.origin_country,
  last_contact: message.last_contact,
  longitude: message.longitude,
  latitude: message.latitude,
  on_ground: message.on_ground,
  snapshot_time: message.snapshot_time,
});

// Powertools' Kafka utility imports avro-js and protobufjs for those schema types only (JSON here).
const external = ['avro-js', 'protobufjs'];
const formats: Array<{ name: string; bundle: BundleOptions; module: Report['module'] }> = [
  { name: 'CommonJS index.js', bundle: { format: 'cjs', external }, module: 'commonjs' },
  { name: 'ES module index.mjs', bundle: { format: 'esm', external }, module: 'module' },
];

/** What feeds the function: the bridge (LambdaInvoker in this process), or an event source mapping the stack runs. */
type Via = 'bridge' | 'mapping';
const vias: Via[] = ['bridge', 'mapping'];
const cases = vias.flatMap((via) => formats.map((format) => ({ ...format, via })));

/** The partial-batch answers: AWS's key, in both bundle formats and both feeders, and the legacy key once. */
const answers = [
  ...cases.map((c) => ({ ...c, key: 'partition' })),
  {
    ...formats[0]!,
    via: 'bridge' as Via,
    name: `${formats[0]!.name}, legacy "topic-partition" key`,
    key: 'topic-partition',
  },
];

/** Feeds the function from the topic until stopped; `stats` only for the bridge (a mapping's live in the stack). */
interface Feeder {
  start(): Promise<void>;
  /** Records not yet committed, per partition. */
  lag(): Promise<number[]>;
  stop(): Promise<void>;
  stats?: LambdaInvoker['stats'];
}

/** The `<topic>-<partition>` an identifier names, whichever key it uses. */
const named = (id: Report['failed'][number]['itemIdentifier']) => ({
  id: id.partition ?? id['topic-partition'] ?? '',
  offset: id.offset,
});

const kafka = new Kafka({ clientId: 'powertools-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });

describe('Powertools for AWS Lambda fed by the bridge and by an event source mapping on the local runtime', () => {
  const sns = new SNSClient(awsClientConfig());
  const cleanups: Array<() => Promise<unknown>> = [];
  const topics: string[] = [];

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  afterAll(async () => {
    await deleteTopics(topics);
  });

  /** A topic holding `aircraft` state vectors, a Powertools function bundled as `bundle`, and a bridge between them. */
  async function setup(
    aircraft: number,
    bundle: BundleOptions,
    env: Record<string, string> = {},
    via: Via = 'bridge',
  ) {
    const topic = uniqueName('powertools');
    topics.push(topic, `${topic}-dlq`);
    const sink = new KafkaSink({ brokers: kafkaBrokers(), topic });
    await sink.ensureTopic({ partitions: 3 });
    const { response } = parseStatesResponse(generateSnapshot({ aircraft, seed: 37 }));
    await sink.write(response);
    await sink.close();
    const produced = new Map(
      response.states.map((state) => [state.icao24, { ...state, snapshot_time: response.time }]),
    );

    const reportTopic = (await sns.send(new CreateTopicCommand({ Name: uniqueName('powertools-report') })))
      .TopicArn!;
    cleanups.push(() => sns.send(new DeleteTopicCommand({ TopicArn: reportTopic })));
    const queue = await subscribeQueue(reportTopic);
    cleanups.push(() => queue.close());
    const markerDir = mkdtempSync(join(tmpdir(), 'powertools-markers-'));
    cleanups.push(async () => rmSync(markerDir, { recursive: true, force: true }));

    const functionName = uniqueName('powertools-fn');
    const fn = await deployTestFunction(functionName, powertoolsHandler, {
      bundle,
      env: { REPORT_TOPIC: reportTopic, MARKER_DIR: markerDir, ...env },
      memorySize: 256,
    });
    cleanups.push(() => fn.dispose());
    const lambda = new LambdaClient(awsClientConfig());
    let feeder: Feeder;
    if (via === 'bridge') {
      const bridge = new LambdaInvoker({
        functionName,
        topic,
        groupId: uniqueName('powertools-group'),
        brokers: kafkaBrokers(),
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        batchingWindowMs: 100,
        retry: { baseMs: 50 },
        lambda,
      });
      feeder = {
        start: () => bridge.start(),
        lag: async () => Object.values(await bridge.lag()),
        stop: () => bridge.stop(),
        stats: bridge.stats,
      };
    } else {
      // As on AWS: CreateEventSourceMapping with AWS's SDK; the stack runs the mapping.
      let uuid = '';
      const admin = kafka.admin();
      feeder = {
        async start() {
          const created = await lambda.send(
            new CreateEventSourceMappingCommand({
              FunctionName: functionName,
              Topics: [topic],
              SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } },
              StartingPosition: 'TRIM_HORIZON',
              BatchSize: 10,
              MaximumBatchingWindowInSeconds: 0,
              FunctionResponseTypes: ['ReportBatchItemFailures'],
            }),
          );
          uuid = created.UUID!;
          await admin.connect();
        },
        async lag() {
          const state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
          if (state !== 'Enabled') return [];
          const lag = await groupLag(admin, uuid, topic);
          // Until the group committed anything, the whole topic counts.
          return [lag, 0, 0];
        },
        async stop() {
          if (uuid)
            await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })).catch(() => undefined);
          await admin.disconnect().catch(() => undefined);
        },
      };
    }
    cleanups.push(() => feeder.stop());
    return { topic, produced, queue, feeder };
  }

  /** Feed until every partition is committed to its end, then read every report (once per invocation). */
  async function drain(feeder: Feeder, queue: Subscription): Promise<Report[]> {
    await feeder.start();
    const deadline = Date.now() + 90_000;
    for (;;) {
      const lag = await feeder.lag();
      if (lag.length === 3 && lag.every((behind) => behind === 0)) break;
      if (Date.now() > deadline) throw new Error(`the function did not catch up: lag ${JSON.stringify(lag)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await feeder.stop();
    const reports = new Map<string, Report>();
    // Every invocation published its report before answering, and all answers are in. The bridge
    // counts its invocations; for a mapping, wait until no more reports come.
    const expected = feeder.stats?.invocations;
    for (const message of await queue.receive(expected ?? 100_000, expected ? 30_000 : 8_000)) {
      const report = JSON.parse(message.Body!) as Report;
      reports.set(report.requestId, report);
    }
    if (expected !== undefined) expect(reports.size).toBe(expected);
    return [...reports.values()];
  }

  /** Deliveries of each record, by `topic-partition-offset`. */
  function deliveries(reports: Report[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const report of reports) {
      for (const record of report.delivered) {
        const id = `${record.topic}-${record.partition}-${record.offset}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  }

  it.each(cases)(
    'decodes and validates every record exactly once ($name, $via)',
    async ({ bundle, module, via }) => {
      const { topic, produced, queue, feeder } = await setup(60, bundle, {}, via);
      const reports = await drain(feeder, queue);

      if (feeder.stats)
        expect(feeder.stats).toMatchObject({ recordsIn: 60, errors: 0, deadLettered: 0, partialFailures: 0 });
      for (const report of reports) {
        expect(report).toMatchObject({
          module,
          eventSource: 'SelfManagedKafka',
          bootstrapServers: kafkaBrokers(),
          failed: [],
        });
        expect(report.envelopeRecords).toBe(report.delivered.length);
      }
      const counts = deliveries(reports);
      expect(counts.size).toBe(60);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      const delivered = reports.flatMap((report) => report.delivered);
      expect(new Set(delivered.map((record) => record.topic))).toEqual(new Set([topic]));
      for (const record of delivered) {
        const message = produced.get(record.key);
        expect(message, `record key ${record.key}`).toBeDefined();
        expect(record.value).toEqual(validated(message!));
      }
    },
  );

  it.each(answers)(
    "retries from the failed records only on AWS's partial-batch response ($name, $via)",
    async ({ bundle, key, via }) => {
      // Offsets 3 and 14 of every partition fail on first delivery; batches hold up to 10 records.
      const failAt = [3, 14];
      const { topic, queue, feeder } = await setup(
        60,
        bundle,
        { FAIL_OFFSETS: failAt.join(','), ITEM_KEY: key },
        via,
      );
      const reports = await drain(feeder, queue);
      const counts = deliveries(reports);

      const byPartition = new Map<number, Array<[number, number]>>();
      for (const [id, count] of counts) {
        const [partition, offset] = id
          .slice(topic.length + 1)
          .split('-')
          .map(Number) as [number, number];
        byPartition.set(partition, [...(byPartition.get(partition) ?? []), [offset, count]]);
      }
      for (const [partition, entries] of [...byPartition].sort(([a], [b]) => a - b)) {
        entries.sort(([a], [b]) => a - b);
        console.log(
          `deliveries (${via}) ${topic}-${partition}: ${entries.map(([offset, count]) => `${offset}×${count}`).join(' ')}`,
        );
      }

      expect(counts.size).toBe(60);
      if (feeder.stats) expect(feeder.stats).toMatchObject({ errors: 0, deadLettered: 0 });
      // Each failure came back in the answer of the invocation that first carried the record.
      const failures = reports.flatMap((report) =>
        report.failed.map((failure) => named(failure.itemIdentifier)),
      );
      for (const { id, offset } of failures) {
        expect(id.startsWith(`${topic}-`)).toBe(true);
        expect(failAt).toContain(offset);
      }
      if (feeder.stats) expect(feeder.stats.partialFailures).toBe(failures.length);
      for (const report of reports) {
        for (const { itemIdentifier } of report.failed) {
          const { id, offset } = named(itemIdentifier);
          const partition = Number(id.slice(topic.length + 1));
          const batch = report.delivered.map((record) => record.offset);
          const retry = reports.find(
            (other) =>
              other !== report &&
              other.delivered[0]?.partition === partition &&
              other.delivered[0]?.offset === offset,
          );
          // The retry starts at the failed record: what preceded it in the batch succeeded.
          expect(retry, `a retry of ${id} starting at offset ${offset}`).toBeDefined();
          for (const before of batch.filter((o) => o < offset)) {
            expect(counts.get(`${id}-${before}`), `${id}-${before} precedes the failure`).toBe(1);
          }
          expect(counts.get(`${id}-${offset}`)).toBe(2);
        }
      }
      // Every record outside a retried range arrived exactly once.
      const retried = new Set<string>();
      for (const report of reports) {
        for (const { itemIdentifier } of report.failed) {
          const { id, offset } = named(itemIdentifier);
          for (const record of report.delivered)
            if (record.offset >= offset) retried.add(`${id}-${record.offset}`);
        }
      }
      for (const [id, count] of counts) if (!retried.has(id)) expect(count, id).toBe(1);
      expect(failures.length).toBeGreaterThan(0);
    },
  );
});
