/**
 * The event the bridge builds from records that clients we did not write produced:
 * confluent-kafka (librdkafka, which sends headers without a value, as the Java client does)
 * and kafka-python, on a CreateTime topic and a LogAppendTime one. The records go through the
 * unchanged LambdaInvoker to a function deployed on the stack that writes down every event it
 * gets; the test reads them back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvoker } from '../../src/bridge/index.ts';
import {
  decodeKafkaRecord,
  eventRecords,
  type KafkaEvent,
  type KafkaEventRecord,
  parseBatchResponse,
} from '../../src/handler/index.ts';
import { awsClientConfig, kafkaBrokers, uniqueName } from '../support/env.ts';
import { deployTestFunction, type TestFunction } from '../support/lambda-fixtures.ts';
import { type PythonTools, pythonTools } from '../support/python-tools.ts';
import { deleteTopics } from '../support/topic-records.ts';
import { committedTotal, waitFor } from '../support/wait.ts';

// Writes each event it gets to LOG_FILE, one JSON line each, and reports no failure.
const echoHandler = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(process.env.LOG_FILE, JSON.stringify(event) + '\\n');
  return { batchItemFailures: [] };
};`;

/** One record to produce: which client sends it, and its headers in the order sent (`null`: no value). */
interface Produced {
  client: 'confluent-kafka' | 'kafka-python';
  key: string;
  value: string | null;
  headers: Array<[string, string | null]>;
}

// Produces argv[3]'s records to topic argv[2] at brokers argv[1], each client's in order, with
// the CreateTime timestamp argv[4]; prints how many were acknowledged.
const producerScript = `
import json, sys
from confluent_kafka import Producer
from kafka import KafkaProducer
brokers, topic, records, timestamp = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
enc = lambda s: None if s is None else s.encode('utf-8')
acked = 0
confluent = Producer({'bootstrap.servers': brokers})
errors = []
def delivered(err, msg):
    global acked
    if err is not None: errors.append(str(err))
    else: acked += 1
for r in [r for r in records if r['client'] == 'confluent-kafka']:
    confluent.produce(topic, key=enc(r['key']), value=enc(r['value']), timestamp=timestamp,
                      headers=[(name, enc(value)) for name, value in r['headers']], on_delivery=delivered)
if confluent.flush(30) != 0 or errors: sys.exit('confluent-kafka: not delivered: %s' % errors)
pure = KafkaProducer(bootstrap_servers=brokers)
for r in [r for r in records if r['client'] == 'kafka-python']:
    pure.send(topic, key=enc(r['key']), value=enc(r['value']), timestamp_ms=timestamp,
              headers=[(name, enc(value)) for name, value in r['headers']]).get(timeout=30)
    acked += 1
pure.close()
print(acked)
`;

// Reads the events in file argv[1] with Powertools for AWS Lambda (Python): its parser model
// must accept each one (but for tombstones), and BatchProcessor(EventType.Kafka) answers for it, failing the records
// whose key is in argv[2]. Prints, per event, that answer and the headers its data class decoded.
const powertoolsScript = `
import json, sys
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes import KafkaEvent
from aws_lambda_powertools.utilities.parser.models import KafkaSelfManagedEventModel
failing = set(sys.argv[2].split(','))
def handler(record):
    if record.decoded_key.decode() in failing: raise ValueError('failing on purpose')
out = []
for line in open(sys.argv[1]):
    event = json.loads(line)
    # Its model requires a value: AWS leaves a tombstone's out, as the bridge does (issue 5016 of
    # powertools-lambda-typescript), so tombstones are left out of this one check.
    records = {tp: [r for r in rs if 'value' in r] for tp, rs in event['records'].items()}
    KafkaSelfManagedEventModel(**{**event, 'records': {tp: rs for tp, rs in records.items() if rs}})
    processor = BatchProcessor(event_type=EventType.Kafka, raise_on_entire_batch_failure=False)
    answer = process_partial_response(event=event, record_handler=handler, processor=processor)
    headers = [{k: v.decode('utf-8') for k, v in r.decoded_headers.items()} for r in KafkaEvent(event).records]
    out.append({'answer': answer, 'headers': headers})
print(json.dumps(out))
`;

const records: Produced[] = [
  {
    client: 'confluent-kafka',
    key: 'c-0',
    value: '{"n":0}',
    headers: [
      ['source', 'librdkafka'],
      ['no-value', null],
      ['repeated', 'one'],
      ['repeated', null],
      ['repeated', 'three'],
    ],
  },
  { client: 'confluent-kafka', key: 'c-1', value: '{"n":1}', headers: [] },
  { client: 'confluent-kafka', key: 'c-2', value: '{"n":2}', headers: [['only', null]] },
  { client: 'confluent-kafka', key: 'c-3', value: null, headers: [['tombstone', 'yes']] },
  {
    client: 'kafka-python',
    key: 'p-0',
    value: '{"n":4}',
    headers: [
      ['repeated', 'a'],
      ['repeated', 'b'],
      ['other', 'c'],
    ],
  },
  { client: 'kafka-python', key: 'p-1', value: 'not json', headers: [['text', 'é✈']] },
];

/** The headers the event should carry: each in its place, bytes as numbers, no value as `[]`. */
const expectedHeaders = (headers: Produced['headers']) =>
  headers.map(([name, value]) => ({ [name]: value === null ? [] : [...Buffer.from(value)] }));

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A CreateTime timestamp long past: a LogAppendTime topic replaces it with the broker's clock. */
const PRODUCED_AT = Date.UTC(2020, 0, 1);

const kafka = new Kafka({
  clientId: 'event-contract-test',
  brokers: kafkaBrokers(),
  logLevel: logLevel.NOTHING,
});

describe('The Kafka event for records of other clients (confluent-kafka, kafka-python)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'event-contract-'));
  const topics: string[] = [];
  const functions: TestFunction[] = [];
  let python: PythonTools;

  beforeAll(async () => {
    python = await pythonTools();
  });
  afterAll(async () => {
    for (const fn of functions) await fn.dispose();
    await deleteTopics(topics);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    { timestampType: 'CreateTime', expected: 'CREATE_TIME' },
    { timestampType: 'LogAppendTime', expected: 'LOG_APPEND_TIME' },
  ] as const)(
    'a $timestampType topic: every record once, headers in place, timestampType $expected',
    async ({ timestampType, expected }) => {
      const topic = uniqueName(`contract-${timestampType.toLowerCase()}`);
      topics.push(topic, `${topic}-dlq`);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 2,
            configEntries: [{ name: 'message.timestamp.type', value: timestampType }],
          },
          { topic: `${topic}-dlq`, numPartitions: 1 },
        ],
      });
      await admin.disconnect();

      const logFile = join(dir, `${topic}.ndjson`);
      const functionName = uniqueName('contract-fn');
      functions.push(await deployTestFunction(functionName, echoHandler, { env: { LOG_FILE: logFile } }));

      const before = Date.now();
      const acked = await python.run(producerScript, [
        kafkaBrokers().join(','),
        topic,
        JSON.stringify(records),
        String(PRODUCED_AT),
      ]);
      expect(Number(acked)).toBe(records.length);

      const groupId = uniqueName('contract-group');
      const bridge = new LambdaInvoker({
        functionName,
        topic,
        groupId,
        brokers: kafkaBrokers(),
        startingPosition: 'TRIM_HORIZON',
        batchSize: 3,
        batchingWindowMs: 100,
        retry: { baseMs: 50 },
        lambda: new LambdaClient(awsClientConfig()),
      });
      const crashes: Error[] = [];
      bridge.on('crash', ({ error }) => crashes.push(error));
      try {
        await bridge.start();
        await waitFor(async () => {
          if (crashes.length) throw new Error(`the bridge crashed: ${crashes[0]!.message}`);
          return (await committedTotal(kafka, groupId, topic)) === records.length;
        });
        // The bridge kept running: no crash, no failed invoke, nothing dead-lettered.
        expect(bridge.consuming).toBe(true);
        expect(bridge.stats).toMatchObject({ crashes: 0, errors: 0, deadLettered: 0 });
      } finally {
        await bridge.stop();
      }

      const events: KafkaEvent[] = readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const seen = events.flatMap((event) => eventRecords(event));
      const byKey = new Map<string, KafkaEventRecord[]>();
      for (const record of seen) {
        const key = Buffer.from(record.key!, 'base64').toString();
        byKey.set(key, [...(byKey.get(key) ?? []), record]);
      }
      expect([...byKey.keys()].sort()).toEqual(records.map((r) => r.key).sort());
      for (const produced of records) {
        const arrived = byKey.get(produced.key)!;
        expect(arrived, `${produced.key} arrives once`).toHaveLength(1);
        const [record] = arrived;
        expect(record!.headers, `${produced.key}'s headers`).toEqual(expectedHeaders(produced.headers));
        expect(record!.timestampType).toBe(expected);
        if (produced.value === null) expect(record).not.toHaveProperty('value');
        else expect(record!.value).toBe(b64(produced.value));
        if (expected === 'CREATE_TIME') expect(record!.timestamp).toBe(PRODUCED_AT);
        // The broker's append time: not the producer's, and not before the records were sent.
        else expect(record!.timestamp).toBeGreaterThanOrEqual(before - 1000);
      }

      // AWS's own tooling reads these events, and the bridge reads its answers: Powertools' parser
      // accepts them, its data class decodes the headers as decodeKafkaRecord does, and the
      // partial-batch response of BatchProcessor(EventType.Kafka) is one parseBatchResponse honours.
      const failing = ['c-2', 'p-0'];
      const powertools = JSON.parse(
        await python.run(powertoolsScript, [logFile, failing.join(',')]),
      ) as Array<{
        answer: unknown;
        headers: Array<Record<string, string>>;
      }>;
      expect(powertools).toHaveLength(events.length);
      events.forEach((event, i) => {
        const inEvent = eventRecords(event);
        expect(powertools[i]!.headers).toEqual(
          Object.values(event.records)
            .flat()
            .map((r) => decodeKafkaRecord(r).headers),
        );
        const failedFrom: Record<string, number> = {};
        for (const r of inEvent.filter((r) => failing.includes(decodeKafkaRecord(r).key!))) {
          const id = `${r.topic}-${r.partition}`;
          failedFrom[id] = Math.min(failedFrom[id] ?? r.offset, r.offset);
        }
        const consumed = inEvent.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: String(r.offset),
        }));
        expect(parseBatchResponse(powertools[i]!.answer, consumed)).toEqual(
          Object.keys(failedFrom).length ? { kind: 'partial', failedFrom } : { kind: 'success' },
        );
      });
    },
  );
});
