import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/index.ts';
import { runCli } from '../support/cli.ts';
import { kafkaBrokers, uniqueName } from '../support/env.ts';

/** A process warning as Node prints it: `(node:1234) TimeoutNegativeWarning: …`. */
const NODE_WARNING = /\(node:\d+\) \w*Warning/;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// kafkajs 2.2.4 printed a TimeoutNegativeWarning on Node 24 once connected (kafkajs issue #1751).
describe('Node 24: no process warnings from the Kafka client', () => {
  const topics: string[] = [];
  afterAll(async () => {
    const admin = createKafkaClient({ brokers: kafkaBrokers() }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a produce and consume through the library prints nothing on stderr', async () => {
    const topic = uniqueName('node24-roundtrip');
    topics.push(topic);
    const script = fileURLToPath(new URL('../support/kafka-roundtrip.ts', import.meta.url));
    const result = await run([script, kafkaBrokers().join(','), topic]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('hello\n');
    expect(result.code).toBe(0);
  }, 90_000);

  it('opensky-stream produce against the broker prints no warning', async () => {
    const topic = uniqueName('node24-produce');
    topics.push(topic);
    const result = await runCli(
      [
        'produce',
        '--synthetic',
        '20',
        '--max-snapshots',
        '2',
        '--interval',
        '1s',
        '--brokers',
        kafkaBrokers().join(','),
        '--topic',
        topic,
      ],
      {},
      60_000,
    );
    expect(result.stderr).not.toMatch(NODE_WARNING);
    expect(result.code).toBe(0);
  }, 90_000);
});
