/**
 * Helpers shared by the benchmarks (the runner skips files starting with _).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackConfig } from '../src/stack/lib.ts';
import { stackUp } from '../src/stack/stack.ts';
import { generateSnapshot, type RawStatesBody } from '../src/synthetic/index.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The real recorded response in ../shared/fixtures when present (never copied into the repo), else generated data. */
export function realOrGenerated(aircraft = 4181): { body: RawStatesBody; label: string } {
  const fixture = join(
    here,
    '..',
    '..',
    'shared',
    'fixtures',
    'opensky',
    'states-all-18field-category-1649392659.json',
  );
  if (existsSync(fixture))
    return {
      body: JSON.parse(readFileSync(fixture, 'utf8')),
      label: 'recorded OpenSky response (4,181 vectors)',
    };
  return { body: generateSnapshot({ aircraft, seed: 1 }), label: `generated snapshot (${aircraft} vectors)` };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Start (or reuse) the local stack; returns endpoints for clients. */
export async function localStack() {
  const cfg = stackConfig();
  await stackUp(cfg, () => {});
  const aws = {
    endpoint: `http://${cfg.host}:${cfg.awsPort}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return { brokers: [`${cfg.host}:${cfg.kafkaPort}`], aws };
}

/** Resident memory of a live process in MiB: its peak (VmHWM) or now (VmRSS); throws if it is gone. */
export function memoryMiB(pid: number, which: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${which}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
}

/** The environment a CLI process gets to work against the local stack, as a user's shell would set it. */
export function stackCliEnv(
  stack: Awaited<ReturnType<typeof localStack>>,
  logLevel: string,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BROKERS: stack.brokers.join(','),
    AWS_ENDPOINT_URL: stack.aws.endpoint,
    AWS_REGION: stack.aws.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    OPENSKY_STREAM_LOG_LEVEL: logLevel,
  };
}

export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;
