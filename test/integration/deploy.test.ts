import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CODE_TAG,
  deployPipelineResources,
  destroyPipelineResources,
  lambdaPackage,
  zipPackage,
} from '../../src/deploy/index.ts';
import type { FlightRecord } from '../../src/domain/types.ts';
import { isOpenSkyStreamError } from '../../src/errors.ts';
import type { FlightHandlerResult } from '../../src/handler/handler.ts';
import { buildKafkaEvent, type ConsumedRecord, countPublished } from '../../src/handler/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse, transformStateVector } from '../../src/transform/index.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { deployTestFunction } from '../support/lambda-fixtures.ts';
import { subscribeQueue } from '../support/sqs.ts';

describe('deploy + the reference Lambda on the local stack', () => {
  const clients = {
    lambda: new LambdaClient(awsClientConfig()),
    sns: new SNSClient(awsClientConfig()),
    iam: new IAMClient(awsClientConfig()),
  };
  const functionName = uniqueName('processor');
  const topicName = uniqueName('FlightNotifications');
  let topicArn = '';

  const others: Array<{ functionName: string; topicArn: string }> = [];

  afterAll(async () => {
    for (const deployed of [{ functionName, topicArn }, ...others]) {
      await clients.lambda
        .send(new DeleteFunctionCommand({ FunctionName: deployed.functionName }))
        .catch(() => undefined);
      if (deployed.topicArn)
        await clients.sns
          .send(new DeleteTopicCommand({ TopicArn: deployed.topicArn }))
          .catch(() => undefined);
    }
  });

  it('creates the topic and function, and a second run changes nothing', async () => {
    const zip = await lambdaPackage();
    const first = await deployPipelineResources({ functionName, topicName, zip, ...clients });
    topicArn = first.topicArn;
    expect(first).toMatchObject({ function: 'created', functionName });
    expect(first.topicArn).toMatch(new RegExp(`:${topicName}$`));
    const second = await deployPipelineResources({ functionName, topicName, zip, ...clients });
    expect(second).toMatchObject({
      function: 'unchanged',
      topicArn: first.topicArn,
      codeSha256: first.codeSha256,
    });
    const third = await deployPipelineResources({ functionName, topicName, zip, timeout: 45, ...clients });
    expect(third.function).toBe('updated');
  });

  it('publishes exactly the in-air aircraft, each equal to transformStateVector, with origin_country', async () => {
    const queue = await subscribeQueue(topicArn);
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 120, seed: 33 }));
    const records: ConsumedRecord[] = response.states.map((sv, i) => ({
      topic: 'aviation-data',
      partition: i % 3,
      offset: String(i),
      timestamp: String(Date.now()),
      key: Buffer.from(sv.icao24),
      value: Buffer.from(JSON.stringify({ ...sv, snapshot_time: response.time })),
      headers: {},
    }));
    records.push({ ...records[0]!, offset: '1000', value: Buffer.from('{"not":"a state vector"}') });
    records.push({ ...records[0]!, offset: '1001', value: Buffer.from('not json') });
    const expected = response.states
      .map((sv) => transformStateVector(sv))
      .filter((r): r is FlightRecord => r !== null);
    expect(expected.length).toBeGreaterThan(80);
    expect(expected.length).toBeLessThan(response.states.length);

    const answer = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: JSON.stringify(buildKafkaEvent(records, ['127.0.0.1:9092'])),
      }),
    );
    expect(answer.FunctionError).toBeUndefined();
    const result = JSON.parse(Buffer.from(answer.Payload!).toString()) as FlightHandlerResult;
    expect(result.summary).toEqual({
      records: response.states.length + 2,
      published: expected.length,
      filtered: response.states.length - expected.length,
      malformed: 2,
      failed: 0,
    });
    expect(result.batchItemFailures).toEqual([]);

    // The function also recorded what it published (what `opensky-stream count` reads).
    const { total } = await countPublished(new CloudWatchClient(awsClientConfig()), topicName, 5);
    expect(total).toBe(expected.length);

    const received = await queue.receive(expected.length, 30_000);
    await queue.close();
    const byIcao = new Map(received.map((m) => [(JSON.parse(m.Body!) as FlightRecord).icao24, m]));
    expect(byIcao.size).toBe(expected.length);
    for (const record of expected) {
      const message = byIcao.get(record.icao24)!;
      expect(JSON.parse(message.Body!)).toEqual(record);
      expect(message.MessageAttributes?.origin_country?.StringValue).toBe(record.origin_country);
    }
  });

  it('a second pipeline (another topic) adds its topic to the shared role, the first keeps sns:Publish', async () => {
    const zip = await lambdaPackage();
    const second = await deployPipelineResources({
      functionName: uniqueName('processor-b'),
      topicName: uniqueName('OtherNotifications'),
      zip,
      ...clients,
    });
    others.push(second);
    expect(second.roleArn).toMatch(/role\/opensky-stream-lambda$/);
    const { PolicyDocument } = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: 'opensky-stream-lambda', PolicyName: 'opensky-stream-publish' }),
    );
    const policy = JSON.parse(decodeURIComponent(PolicyDocument!)) as {
      Statement: Array<{ Action: string | string[]; Resource: string | string[] }>;
    };
    const publishable = policy.Statement.filter((s) => [s.Action].flat().includes('sns:Publish')).flatMap(
      (s) => [s.Resource].flat(),
    );
    expect(publishable).toEqual(expect.arrayContaining([topicArn, second.topicArn]));
  });

  it('never replaces code it did not build: yours, or a function it never deployed, unless forced', async () => {
    const name = uniqueName('own-code');
    const topic = uniqueName('OwnNotifications');
    const mine = zipPackage({ 'index.mjs': 'export const handler = async () => ({ mine: true });' });
    const deployed = await deployPipelineResources({
      functionName: name,
      topicName: topic,
      zip: mine,
      ...clients,
    });
    others.push(deployed);
    expect(deployed).toMatchObject({ function: 'created', code: 'custom' });

    // The reference over your code: refused before anything changes.
    const refusal = await deployPipelineResources({ functionName: name, topicName: topic, ...clients }).catch(
      (error: unknown) => error,
    );
    expect(isOpenSkyStreamError(refusal) && refusal.code).toBe('OSS_CONFIG');
    expect(String(refusal)).toMatch(/runs your code/);
    const after = await clients.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(after.Configuration!.CodeSha256).toBe(deployed.codeSha256);

    // Forced: the reference handler, and the tag says so.
    const forced = await deployPipelineResources({
      functionName: name,
      topicName: topic,
      force: true,
      ...clients,
    });
    expect(forced).toMatchObject({ function: 'updated', code: 'reference' });
    expect((await clients.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Tags?.[CODE_TAG]).toBe(
      'reference',
    );

    // A function opensky-stream never deployed (no tag): even --code leaves it alone.
    const foreign = await deployTestFunction(uniqueName('foreign'), 'export const handler = async () => 1;');
    try {
      await expect(
        deployPipelineResources({ functionName: foreign.name, topicName: topic, zip: mine, ...clients }),
      ).rejects.toThrow(/was not deployed by opensky-stream/);
    } finally {
      await foreign.dispose();
    }
  });

  it("destroy takes the topic out of the shared role and keeps the other pipelines' topics", async () => {
    const name = uniqueName('short-lived');
    const topic = uniqueName('ShortLived');
    const deployed = await deployPipelineResources({ functionName: name, topicName: topic, ...clients });
    const destroyed = await destroyPipelineResources({ functionName: name, topicName: topic, ...clients });
    expect(destroyed).toMatchObject({ function: 'deleted', topic: 'deleted', role: 'topic-removed' });
    const { PolicyDocument } = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: 'opensky-stream-lambda', PolicyName: 'opensky-stream-publish' }),
    );
    const policy = JSON.parse(decodeURIComponent(PolicyDocument!)) as {
      Statement: Array<{ Action: string | string[]; Resource: string | string[] }>;
    };
    const publish = policy.Statement.filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect([publish[0]!.Resource].flat()).not.toContain(deployed.topicArn);
    expect([publish[0]!.Resource].flat()).toContain(topicArn);
  });
});
