/**
 * `deploy --kafka-bootstrap-servers` through the real CLI on the stack: it creates the
 * function's event source mapping (AWS's API, served by the stack), a second run changes
 * nothing, records produced BEFORE the mapping existed are all delivered (starting position
 * TRIM_HORIZON), and `destroy` removes the mapping with the function.
 */

import {
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/util/retry.ts';
import { removePipelineResources } from '../support/cleanup.ts';
import { runCli } from '../support/cli.ts';
import { awsClientConfig, awsEndpoint, cliEnv, kafkaBrokers, pipelineNames } from '../support/env.ts';
import { airborne } from '../support/records.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

const names = pipelineNames('trigger');
const lambda = new LambdaClient(awsClientConfig());
const RECORDS = 40;

interface DeployOutput {
  functionName: string;
  topicArn: string;
  eventSourceMapping: { uuid: string; mapping: string; state: string; notApplied: string[] };
}

const deploy = () =>
  runCli(
    [
      'deploy',
      '--function-name',
      names.fn,
      '--topic-name',
      names.snsTopic,
      '--topic',
      names.topic,
      '--kafka-bootstrap-servers',
      kafkaBrokers().join(','),
      '--endpoint-url',
      awsEndpoint(),
    ],
    cliEnv(),
    120_000,
  );

describe('deploy --kafka-bootstrap-servers: the function consumes Kafka through an event source mapping', () => {
  let queue: Subscription | undefined;
  let topicArn = '';

  afterAll(async () => {
    await queue?.close();
    await runCli(['destroy', '--function-name', names.fn, '--topic-name', names.snsTopic, '--yes'], cliEnv());
    await removePipelineResources({ functionName: names.fn, topicArn, kafkaTopic: names.topic });
  });

  it('delivers what was produced before it existed, and a second deploy changes nothing', async () => {
    // The documented order "produce first, deploy second" must lose nothing.
    const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: names.topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.topic,
      messages: Array.from({ length: RECORDS }, (_, i) => {
        const icao24 = `7c${i.toString(16).padStart(4, '0')}`;
        return { key: icao24, value: JSON.stringify(airborne({ icao24, callsign: `T${i}` })) };
      }),
    });
    await producer.disconnect();
    topicArn = (await new SNSClient(awsClientConfig()).send(new CreateTopicCommand({ Name: names.snsTopic })))
      .TopicArn!;
    queue = await subscribeQueue(topicArn);

    const first = await deploy();
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout) as DeployOutput;
    expect(created.eventSourceMapping).toMatchObject({ mapping: 'created', state: 'Enabled' });
    const mapping = await lambda.send(
      new GetEventSourceMappingCommand({ UUID: created.eventSourceMapping.uuid }),
    );
    expect(mapping).toMatchObject({
      Topics: [names.topic],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: `kafka://${names.topic}-dlq` } },
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } },
    });

    const messages = await queue.receive(RECORDS, 60_000);
    const icaos = messages.map((m) => (JSON.parse(m.Body ?? '{}') as { icao24: string }).icao24).sort();
    expect(new Set(icaos).size).toBe(RECORDS);

    const second = await deploy();
    expect(second.code, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout) as DeployOutput;
    expect(again.eventSourceMapping).toMatchObject({
      uuid: created.eventSourceMapping.uuid,
      mapping: 'unchanged',
    });
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: names.fn }));
    expect(listed.EventSourceMappings).toHaveLength(1);
  }, 240_000);

  it('refuses a trigger flag without brokers, and destroy removes the mapping', async () => {
    const bad = await runCli(
      ['deploy', '--function-name', names.fn, '--batch-size', '10', '--endpoint-url', awsEndpoint()],
      cliEnv(),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--batch-size.*--kafka-bootstrap-servers/);

    const destroyed = await runCli(
      ['destroy', '--function-name', names.fn, '--topic-name', names.snsTopic, '--yes'],
      cliEnv(),
      60_000,
    );
    expect(destroyed.code, destroyed.stderr).toBe(0);
    // As on AWS, a deleted mapping shows `Deleting` until its poller has let go, then disappears.
    let left = -1;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
      const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: names.fn }));
      left = (listed.EventSourceMappings ?? []).filter((m) => m.State !== 'Deleting').length;
      if ((listed.EventSourceMappings ?? []).length === 0) break;
    }
    expect(left).toBe(0);
    const after = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: names.fn }));
    expect(after.EventSourceMappings ?? []).toHaveLength(0);
  }, 120_000);
});
