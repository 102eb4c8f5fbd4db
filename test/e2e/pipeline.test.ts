/**
 * End to end, as a user runs it: a local OpenSky-compatible server with
 * generated traffic → `opensky-stream produce` → Kafka → `opensky-stream bridge`
 * → the deployed, bundled Lambda in the Lambda runtime → SNS → SQS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlightRecord } from '../../src/domain/types.ts';
import { generateTraffic, type RawStatesBody } from '../../src/synthetic/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { removePipelineResources } from '../support/cleanup.ts';
import { cliEnv, pipelineNames } from '../support/env.ts';
import { type OpenSkyTestServer, startOpenSkyServer } from '../support/opensky-server.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

const bin = join(process.cwd(), 'bin', 'opensky-stream.js');
// moto's SNS→SQS fan-out slows as queues grow (see README, Troubleshooting), so the e2e stays modest.
const AIRCRAFT = 400;
const SNAPSHOTS = 3;

function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('e2e: produce → Kafka → bridge → Lambda → SNS → SQS, through the CLI', () => {
  const names = pipelineNames('e2e');
  const env = cliEnv();
  const snapshots: RawStatesBody[] = [];
  let server: OpenSkyTestServer;
  let topicArn = '';
  let all: Subscription;
  let oneCountry: Subscription;
  let country = '';

  beforeAll(async () => {
    const traffic = generateTraffic({
      aircraft: AIRCRAFT,
      seed: 99,
      stepSeconds: 10,
      time: Math.floor(Date.now() / 1000) - 60,
    });
    for (let i = 0; i < SNAPSHOTS; i++) snapshots.push(traffic.next().value);
    // Each snapshot is served twice (as the API does between updates); the source must not emit it twice.
    server = await startOpenSkyServer({
      reply: (n) => ({ body: snapshots[Math.min(Math.floor(n / 2), SNAPSHOTS - 1)] }),
    });

    const deploy = cli(['deploy', '--function-name', names.fn, '--topic-name', names.snsTopic], env);
    const deployed = await deploy.done;
    expect(deployed.code, deployed.stderr).toBe(0);
    topicArn = (JSON.parse(deployed.stdout) as { topicArn: string }).topicArn;
    // deploy is idempotent: a second run succeeds and changes nothing.
    const again = await cli(['deploy', '--function-name', names.fn, '--topic-name', names.snsTopic], env)
      .done;
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ function: 'unchanged', topicArn });

    all = await subscribeQueue(topicArn);
    country = (snapshots[0]!.states![0]![2] as string) ?? 'Germany';
    oneCountry = await subscribeQueue(topicArn, { filterPolicy: { origin_country: [country] } });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await all?.close();
    await oneCountry?.close();
    await removePipelineResources({ functionName: names.fn, topicArn, kafkaTopic: names.topic });
  });

  it('delivers exactly the in-air aircraft of every snapshot, each equal to transformStateVector, with origin_country', async () => {
    const produce = await cli(
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
    ).done;
    expect(produce.code, produce.stderr).toBe(0);

    const bridge = cli(
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
        '--batch-size',
        '500',
      ],
      env,
    );
    const expected = snapshots.flatMap((body) =>
      (body.states ?? [])
        .map((row) => transformStateVector(row))
        .filter((r): r is FlightRecord => r !== null),
    );
    expect(expected.length).toBeGreaterThan(SNAPSHOTS * AIRCRAFT * 0.8);
    expect(expected.length).toBeLessThan(SNAPSHOTS * AIRCRAFT);

    // Both queues are drained while the bridge runs (moto's SQS slows down as a queue grows).
    const mine = expected.filter((r) => r.origin_country === country);
    const [received, filtered] = await Promise.all([
      all.receive(expected.length, 300_000),
      oneCountry.receive(mine.length, 300_000),
    ]);
    // Nothing more arrives: no duplicates, nothing from on-ground aircraft.
    received.push(...(await all.receive(1, 3000)));
    filtered.push(...(await oneCountry.receive(1, 2000)));
    bridge.child.kill('SIGTERM');
    const stopped = await bridge.done;
    expect(stopped.code, stopped.stderr).toBe(0);

    // `count` reports what the Lambda published.
    const counted = await cli(['count', '--topic-name', names.snsTopic, '--minutes', '15', '--json'], env)
      .done;
    expect(counted.code, counted.stderr).toBe(0);
    expect(JSON.parse(counted.stdout)).toMatchObject({ total: expected.length });

    // Exactly the expected notifications, as a multiset (an aircraft without a position can
    // give the same record in several snapshots), each body byte-equal to transformStateVector's
    // output serialised, each with its origin_country attribute.
    const bodies = (records: FlightRecord[]) => records.map((r) => JSON.stringify(r)).sort();
    expect(received.map((m) => m.Body!).sort()).toEqual(bodies(expected));
    for (const message of received) {
      const record = JSON.parse(message.Body!) as FlightRecord;
      expect(message.MessageAttributes?.origin_country?.StringValue).toBe(record.origin_country);
    }
    expect(filtered.map((m) => m.Body!).sort()).toEqual(
      bodies(expected.filter((r) => r.origin_country === country)),
    );
  }, 400_000);
});
