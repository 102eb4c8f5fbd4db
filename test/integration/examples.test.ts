/**
 * Every file in examples/ runs as a user runs it: copied into a project of its own whose
 * `opensky-stream` is this checkout built as the package (test/support/built-package.ts),
 * started with `node <file>.ts`, offline (generated traffic), against the stack, with the
 * names it takes from the environment, for a couple of snapshots.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage } from '../support/built-package.ts';
import { removePipelineResources } from '../support/cleanup.ts';
import { runCli } from '../support/cli.ts';
import { awsClientConfig, cliEnv, pipelineNames } from '../support/env.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'oss-examples-'));
const names = pipelineNames('examples');

/** `node <example>` in the project, with the stack's environment and the example's names. */
async function runExample(file: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [file], {
      cwd: project,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...cliEnv(), SNAPSHOTS: '2', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** The JSON stats line an example prints last. */
const lastJson = <T>(stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as T;

/** The topics the in-process examples published to, removed afterwards. */
const topics: string[] = [];

/** A topic of its own for an example, with an SQS queue subscribed before the example runs. */
async function subscribedTopic(name: string): Promise<{ topicArn: string; queue: Subscription }> {
  const { TopicArn } = await new SNSClient(awsClientConfig()).send(new CreateTopicCommand({ Name: name }));
  topics.push(TopicArn!);
  return { topicArn: TopicArn!, queue: await subscribeQueue(TopicArn!, { raw: true }) };
}

describe('examples/, run as shipped', () => {
  const queues: Subscription[] = [];
  let topicArn = '';

  beforeAll(async () => {
    const pkg = await buildPackage('examples-package');
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    cpSync(join(root, 'examples'), project, { recursive: true });
    // The package, and the AWS SDK clients the examples pass in (a user installs both).
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(pkg, join(project, 'node_modules', 'opensky-stream'), 'dir');
    symlinkSync(join(root, 'node_modules', '@aws-sdk'), join(project, 'node_modules', '@aws-sdk'), 'dir');
  }, 120_000);

  afterAll(async () => {
    for (const queue of queues) await queue.close();
    const sns = new SNSClient(awsClientConfig());
    for (const TopicArn of topics)
      await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
    await removePipelineResources({ functionName: names.fn, topicArn, kafkaTopic: names.topic });
    rmSync(project, { recursive: true, force: true });
  });

  it('are the three this test runs', () => {
    expect(readdirSync(join(root, 'examples')).sort()).toEqual([
      'custom-filter.ts',
      'custom-pipeline.ts',
      'in-process.ts',
    ]);
  });

  it('in-process.ts publishes generated traffic to the topic SNS_TOPIC_NAME names', async () => {
    const { queue } = await subscribedTopic(`${names.snsTopic}-in-process`);
    queues.push(queue);
    const run = await runExample('in-process.ts', { SNS_TOPIC_NAME: `${names.snsTopic}-in-process` });
    expect(run.code, run.stderr).toBe(0);
    const stats = lastJson<{ snapshots: number; states: number; published: number; filtered: number }>(
      run.stdout,
    );
    // 2 snapshots of 500 aircraft, each published (in the air) or filtered (on the ground).
    expect(stats).toMatchObject({ snapshots: 2, states: 1000, malformed: 0, publishFailed: 0 });
    expect(stats.published).toBeGreaterThan(0);
    expect(stats.published + stats.filtered).toBe(1000);
    expect(await queue.receive(stats.published, 60_000)).toHaveLength(stats.published);
  }, 180_000);

  it('custom-filter.ts publishes only Europe at cruise, with its own field and a Number attribute', async () => {
    const { queue } = await subscribedTopic(`${names.snsTopic}-filter`);
    queues.push(queue);
    const run = await runExample('custom-filter.ts', { SNS_TOPIC_NAME: `${names.snsTopic}-filter` });
    expect(run.code, run.stderr).toBe(0);
    const stats = lastJson<{ published: number; filtered: number }>(run.stdout);
    expect(stats.published).toBeGreaterThan(0);
    expect(stats.filtered).toBeGreaterThan(0);
    const messages = await queue.receive(stats.published, 60_000);
    expect(messages).toHaveLength(stats.published);
    for (const message of messages) {
      const record = JSON.parse(message.Body!) as {
        latitude: number;
        longitude: number;
        altitude_feet: number;
        flight_level: number;
      };
      expect(record.latitude).toBeGreaterThanOrEqual(35);
      expect(record.latitude).toBeLessThanOrEqual(60);
      expect(record.altitude_feet).toBeGreaterThanOrEqual(20_000);
      expect(record.altitude_feet).toBeLessThanOrEqual(45_000);
      expect(record.flight_level).toBe(Math.round(record.altitude_feet / 100));
      expect(message.MessageAttributes?.altitude_feet).toMatchObject({
        DataType: 'Number',
        StringValue: String(record.altitude_feet),
      });
    }
  }, 180_000);

  it('custom-pipeline.ts hands every record it produced to the function LAMBDA_FUNCTION_NAME names', async () => {
    const deployed = await runCli(
      ['deploy', '--function-name', names.fn, '--topic-name', names.snsTopic],
      cliEnv(),
      240_000,
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    topicArn = (JSON.parse(deployed.stdout) as { topicArn: string }).topicArn;
    const queue = await subscribeQueue(topicArn, { raw: true });
    queues.push(queue);

    const run = await runExample('custom-pipeline.ts', {
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: names.group,
      LAMBDA_FUNCTION_NAME: names.fn,
    });
    expect(run.code, run.stderr).toBe(0);
    const { sink, bridge } = lastJson<{
      sink: { messages: number };
      bridge: { recordsIn: number; errors: number; deadLettered: number };
    }>(run.stdout);
    expect(sink.messages).toBe(600); // 2 snapshots of 300 aircraft
    expect(bridge).toMatchObject({ recordsIn: sink.messages, errors: 0, deadLettered: 0 });
    // The function published the aircraft in the air among them.
    expect((await queue.receive(1, 60_000)).length).toBeGreaterThan(0);
  }, 300_000);
});
