/**
 * The seed workshop's flow, run unchanged against the local stack with the
 * seed's own tools: `awslocal` creates the SNS topic, an SQS queue subscribed
 * to it and the seed's Python function (`event_processor.lambda_handler`,
 * python3.12, with the seed's role ARN, a role nobody created);
 * kafka-python produces OpenSky state vectors to a topic that does not exist
 * yet; an event source mapping (`awslocal lambda create-event-source-mapping
 * --self-managed-event-source`) feeds the function; boto3 reads the
 * notifications, each with its `origin_country` attribute; and `awslocal
 * cloudwatch get-metric-statistics` counts them in SNS's own metric.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipPackage } from '../../src/deploy/zip.ts';
import { awsEndpoint, kafkaBrokers, uniqueName } from '../support/env.ts';
import { type PythonTools, pythonTools } from '../support/python-tools.ts';

/** The seed's role: `make` passed this ARN and never created the role. */
const SEED_ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** OpenSky state vectors as the seed's producer sent them: two in the air, one on the ground. */
const now = Math.floor(Date.now() / 1000);
const states = [
  [
    '3c6444',
    'DLH9LF  ',
    'Germany',
    now,
    now,
    8.55,
    50.03,
    10_363.2,
    false,
    231.5,
    92.1,
    0,
    null,
    10_500,
    '1000',
    false,
    0,
  ],
  [
    '39de4f',
    'AFR1234 ',
    'France',
    now,
    now,
    2.35,
    48.85,
    9_144,
    false,
    220.1,
    180.5,
    0,
    null,
    9_300,
    '2000',
    false,
    0,
  ],
  [
    '4b1816',
    'SWR1951 ',
    'Switzerland',
    now,
    now,
    8.56,
    47.45,
    null,
    true,
    0,
    0,
    0,
    null,
    null,
    '3000',
    false,
    0,
  ],
];
const IN_AIR = ['Germany', 'France'];

// Produces argv[3] (JSON array of values) to topic argv[2] at brokers argv[1], as the seed did.
const produceScript = `
import json, sys
from kafka import KafkaProducer
producer = KafkaProducer(bootstrap_servers=sys.argv[1].split(','),
                         value_serializer=lambda v: json.dumps(v).encode('utf-8'))
for state in json.loads(sys.argv[3]):
    producer.send(sys.argv[2], key=state[0].encode(), value=state).get(timeout=60)
producer.close()
print('ok')
`;

// Reads argv[2] notifications from queue argv[1] with boto3 (deleting them) and prints their bodies.
const receiveScript = `
import json, os, sys, time
import boto3
sqs = boto3.client('sqs', endpoint_url=os.environ['SEED_ENDPOINT'])
bodies, deadline = [], time.time() + 90
while len(bodies) < int(sys.argv[2]) and time.time() < deadline:
    answer = sqs.receive_message(QueueUrl=sys.argv[1], MaxNumberOfMessages=10, WaitTimeSeconds=1)
    for message in answer.get('Messages', []):
        bodies.append(json.loads(message['Body']))
        sqs.delete_message(QueueUrl=sys.argv[1], ReceiptHandle=message['ReceiptHandle'])
print(json.dumps(bodies))
`;

// The seed's function, as its users write it: Python, boto3, one Publish per aircraft in the air,
// origin_country as a message attribute (a user's function: the product's own rules live in
// transformStateVector, which the reference function runs).
const eventProcessor = `
import base64, json, os
import boto3

sns = boto3.client('sns')

def lambda_handler(event, context):
    published = 0
    for records in event['records'].values():
        for record in records:
            state = json.loads(base64.b64decode(record['value']))
            altitude, on_ground = state[7], state[8]
            if on_ground or not altitude or altitude <= 0:
                continue
            flight = {'icao24': state[0], 'callsign': (state[1] or '').strip(), 'origin_country': state[2],
                      'altitude_feet': round(altitude * 3.28084, 1)}
            sns.publish(TopicArn=os.environ['SNS_TOPIC_ARN'], Message=json.dumps(flight),
                        MessageAttributes={'origin_country': {'DataType': 'String', 'StringValue': state[2]}})
            published += 1
    print('published', published)
    return {'published': published}
`;

describe("the seed's flow with awslocal, kafka-python and boto3", () => {
  const id = uniqueName('seed');
  const names = {
    snsTopic: `${id}-notifications`,
    queue: `${id}-queue`,
    fn: `${id}-fn`,
    kafkaTopic: `${id}-flights`,
  };
  const endpoint = new URL(awsEndpoint());
  const dir = mkdtempSync(join(tmpdir(), 'oss-seed-'));
  let tools: PythonTools;
  let env: Record<string, string>;
  const created = { topicArn: '', queueUrl: '', mapping: '' };

  /** `awslocal <args>` as the seed's Makefile ran it; its JSON answer (undefined when it printed none). */
  async function awslocal(args: string[]): Promise<Record<string, unknown> | undefined> {
    try {
      const { stdout } = await promisify(execFile)(tools.bin('awslocal'), [...args, '--output', 'json'], {
        env,
        timeout: 60_000,
      });
      return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`awslocal ${args.slice(0, 2).join(' ')} failed: ${stderr ?? String(error)}`);
    }
  }

  beforeAll(async () => {
    tools = await pythonTools();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      // awslocal finds LocalStack (here: the local stack's endpoint) from LOCALSTACK_HOST.
      LOCALSTACK_HOST: endpoint.host,
      SEED_ENDPOINT: endpoint.origin,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      DISABLE_DEPRECATION_NOTICE: '1',
    };
  }, 300_000);

  afterAll(async () => {
    const quietly = (args: string[]) => awslocal(args).catch(() => undefined);
    if (created.mapping) await quietly(['lambda', 'delete-event-source-mapping', '--uuid', created.mapping]);
    await quietly(['lambda', 'delete-function', '--function-name', names.fn]);
    if (created.topicArn) await quietly(['sns', 'delete-topic', '--topic-arn', created.topicArn]);
    if (created.queueUrl) await quietly(['sqs', 'delete-queue', '--queue-url', created.queueUrl]);
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [names.kafkaTopic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('creates the SNS topic and an SQS queue subscribed to it', async () => {
    created.topicArn = String((await awslocal(['sns', 'create-topic', '--name', names.snsTopic]))?.TopicArn);
    expect(created.topicArn).toBe(`arn:aws:sns:us-east-1:000000000000:${names.snsTopic}`);
    created.queueUrl = String(
      (await awslocal(['sqs', 'create-queue', '--queue-name', names.queue]))?.QueueUrl,
    );
    const attributes = await awslocal([
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      created.queueUrl,
      '--attribute-names',
      'QueueArn',
    ]);
    const queueArn = String((attributes?.Attributes as { QueueArn?: string } | undefined)?.QueueArn);
    const subscribed = await awslocal([
      'sns',
      'subscribe',
      '--topic-arn',
      created.topicArn,
      '--protocol',
      'sqs',
      '--notification-endpoint',
      queueArn,
    ]);
    expect(String(subscribed?.SubscriptionArn)).toContain(names.snsTopic);
  }, 120_000);

  it("creates the seed's Python function with the seed's role, which does not exist (accepted, as LocalStack does)", async () => {
    await expect(awslocal(['iam', 'get-role', '--role-name', 'lambda-role'])).rejects.toThrow(/NoSuchEntity/);
    const zip = join(dir, 'function.zip');
    writeFileSync(zip, zipPackage({ 'event_processor.py': eventProcessor }));
    const fn = await awslocal([
      'lambda',
      'create-function',
      '--function-name',
      names.fn,
      '--runtime',
      'python3.12',
      '--handler',
      'event_processor.lambda_handler',
      '--role',
      SEED_ROLE,
      '--timeout',
      '30',
      '--zip-file',
      `fileb://${zip}`,
      '--environment',
      JSON.stringify({ Variables: { SNS_TOPIC_ARN: created.topicArn } }),
    ]);
    expect(fn).toMatchObject({ FunctionName: names.fn, Role: SEED_ROLE });
  }, 120_000);

  it('produces with kafka-python to a topic that does not exist yet, and the mapping feeds the function', async () => {
    const produced = await tools.run(
      produceScript,
      [kafkaBrokers().join(','), names.kafkaTopic, JSON.stringify(states)],
      {
        timeoutMs: 90_000,
      },
    );
    expect(produced.trim()).toBe('ok');
    const mapping = await awslocal([
      'lambda',
      'create-event-source-mapping',
      '--function-name',
      names.fn,
      '--topics',
      names.kafkaTopic,
      '--starting-position',
      'TRIM_HORIZON',
      '--self-managed-event-source',
      JSON.stringify({ Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } }),
    ]);
    created.mapping = String(mapping?.UUID);
    expect(created.mapping).toMatch(/^[0-9a-f-]{36}$/);
  }, 120_000);

  it('delivers a notification per aircraft in the air to the subscribed queue, with origin_country', async () => {
    const output = await tools.run(receiveScript, [created.queueUrl, String(IN_AIR.length)], {
      env,
      timeoutMs: 120_000,
    });
    const notifications = JSON.parse(output) as Array<{
      Type: string;
      TopicArn: string;
      Message: string;
      MessageAttributes?: Record<string, { Type: string; Value: string }>;
    }>;
    expect(notifications).toHaveLength(IN_AIR.length);
    for (const notification of notifications) {
      expect(notification).toMatchObject({ Type: 'Notification', TopicArn: created.topicArn });
      const body = JSON.parse(notification.Message) as { origin_country: string; altitude_feet: number };
      expect(body.altitude_feet).toBeGreaterThan(0);
      expect(notification.MessageAttributes?.origin_country).toEqual({
        Type: 'String',
        Value: body.origin_country,
      });
    }
    expect(notifications.map((n) => n.MessageAttributes?.origin_country?.Value).sort()).toEqual(
      [...IN_AIR].sort(),
    );
  }, 150_000);

  it('counts them in AWS/SNS NumberOfMessagesPublished with awslocal cloudwatch get-metric-statistics', async () => {
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const answer = await awslocal([
      'cloudwatch',
      'get-metric-statistics',
      '--namespace',
      'AWS/SNS',
      '--metric-name',
      'NumberOfMessagesPublished',
      '--dimensions',
      `Name=TopicName,Value=${names.snsTopic}`,
      '--start-time',
      iso(Date.now() - 15 * 60_000),
      '--end-time',
      iso(Date.now() + 120_000),
      '--period',
      '60',
      '--statistics',
      'Sum',
    ]);
    const datapoints = (answer?.Datapoints ?? []) as Array<{ Sum: number; Unit: string }>;
    expect(datapoints.reduce((total, d) => total + d.Sum, 0)).toBe(IN_AIR.length);
    expect(new Set(datapoints.map((d) => d.Unit))).toEqual(new Set(['Count']));
  }, 60_000);
});
