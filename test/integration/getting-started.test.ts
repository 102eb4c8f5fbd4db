/**
 * docs/getting-started.md's "A first pipeline with the CLI", in its order, through the real CLI
 * on the stack: `deploy`, then `produce` (offline: a recording, `--replay`) to the end, then
 * `bridge` with its defaults: every in-air record produced before the bridge started reaches SNS
 * (a new group starts at TRIM_HORIZON). And what the guide says about being offline and about
 * the CLI without a command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraffic, type RawStatesBody } from '../../src/synthetic/index.ts';
import { stateVectorFromArray, transformStateVector } from '../../src/transform/index.ts';
import { removePipelineResources } from '../support/cleanup.ts';
import { runCli, startCli } from '../support/cli.ts';
import { cliEnv, pipelineNames } from '../support/env.ts';
import { type Subscription, subscribeQueue } from '../support/sqs.ts';

const SNAPSHOTS = 4;
const AIRCRAFT = 80;

describe('Getting started: deploy → produce → bridge, in the documented order', () => {
  const names = pipelineNames('start');
  const env = cliEnv();
  const dir = mkdtempSync(join(tmpdir(), 'oss-getting-started-'));
  const recording = join(dir, 'flights.ndjson');
  let topicArn = '';
  let queue: Subscription | undefined;
  let inAir: string[] = [];

  beforeAll(() => {
    // A recording (what `opensky-stream record` writes): one /states/all body per line.
    const traffic = generateTraffic({ aircraft: AIRCRAFT, seed: 14, stepSeconds: 10, onGroundShare: 0.2 });
    const bodies: RawStatesBody[] = Array.from({ length: SNAPSHOTS }, () => traffic.next().value);
    writeFileSync(recording, bodies.map((body) => JSON.stringify(body)).join('\n'));
    inAir = bodies.flatMap((body) =>
      (body.states ?? []).flatMap((row) => {
        const record = transformStateVector(stateVectorFromArray(row));
        return record ? [JSON.stringify(record)] : [];
      }),
    );
  });

  afterAll(async () => {
    await queue?.close();
    await removePipelineResources({ functionName: names.fn, topicArn, kafkaTopic: names.topic });
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every in-air record produced before bridge started', async () => {
    // Some aircraft are on the ground: the check below counts only what is in the air.
    expect(inAir.length).toBeGreaterThan(0);
    expect(inAir.length).toBeLessThan(SNAPSHOTS * AIRCRAFT);

    // 1. deploy: the SNS topic and the function.
    const deployed = await runCli(
      ['deploy', '--function-name', names.fn, '--topic-name', names.snsTopic],
      env,
      240_000,
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    topicArn = (JSON.parse(deployed.stdout) as { topicArn: string }).topicArn;
    queue = await subscribeQueue(topicArn, { raw: true });

    // 2. produce, offline from the recording, to the end: everything is in Kafka before the bridge exists.
    const produced = await runCli(
      ['produce', '--replay', recording, '--interval', '100ms', '--topic', names.topic],
      env,
      120_000,
    );
    expect(produced.code, produced.stderr).toBe(0);

    // 3. bridge, with its defaults apart from the names (a new consumer group).
    const bridge = startCli(
      ['bridge', '--function-name', names.fn, '--topic', names.topic, '--group-id', names.group],
      env,
    );
    const received = await queue.receive(inAir.length, 120_000);
    // Anything beyond the in-air records would arrive within a moment: wait for it, then stop.
    const extra = await queue.receive(1, 2_000);
    const stopped = await bridge.stop();
    expect(stopped.code, stopped.stderr).toBe(0);

    // Each in-air record's notification, once: its body is the record, as the function publishes it.
    const delivered = [...received, ...extra].map((message) => message.Body!);
    expect(delivered.sort()).toEqual([...inAir].sort());
  }, 300_000);
});

describe('Getting started: what the guide promises around it', () => {
  it('offline, produce says once that it cannot resolve the host, and suggests --synthetic or --replay', async () => {
    // `.invalid` never resolves (RFC 6761): the DNS failure of a machine without network.
    const produced = await runCli(
      [
        'produce',
        '--base-url',
        'http://opensky.invalid/api',
        '--interval',
        '200ms',
        '--budget',
        'off',
        '--duration',
        '3s',
        '--topic',
        pipelineNames('offline').topic,
      ],
      cliEnv(),
      60_000,
    );
    expect(produced.code, produced.stderr).toBe(0);
    const warnings = produced.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((line) => line.level === 'warn' || line.level === 'error');
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringMatching(
        /^no network: cannot resolve opensky\.invalid \((ENOTFOUND|EAI_AGAIN)\).*--synthetic N.*--replay FILE/,
      ),
    ]);
  }, 60_000);

  it('the CLI without a command lists the commands, exit 2', async () => {
    const bare = await runCli([], cliEnv());
    expect(bare.code).toBe(2);
    const listed = /^Name a command: (.+)\.$/m.exec(bare.stderr)?.[1]?.split(', ');
    expect(listed).toEqual(
      expect.arrayContaining(['deploy', 'produce', 'bridge', 'tail', 'count', 'init', 'stack']),
    );
  });
});
