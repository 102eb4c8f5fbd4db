/**
 * `opensky-stream/testing`: the native local stack (Kafka, the AWS endpoint
 * with SNS/SQS/Lambda Invoke, moto) for your own integration tests, the way
 * Testcontainers is used: start it in a global set-up, point your clients at
 * what it returns, stop what it started at the end. A stack that already runs
 * on the same ports is reused and left running. Beside it, what a handler's
 * tests need: the Kafka event Lambda would send for some records
 * ({@link buildKafkaEvent}), the verdict of a handler's answer
 * ({@link parseBatchResponse}), and the messages SNS counted as published to
 * a topic ({@link countPublished}).
 *
 * ```ts
 * import { startLocalStack } from 'opensky-stream/testing';
 * const stack = await startLocalStack();
 * process.env.KAFKA_BROKERS = stack.brokers.join(',');
 * process.env.AWS_ENDPOINT_URL = stack.endpoint;
 * // … tests …
 * await stack.stop();
 * ```
 *
 * @module
 */
import { DEFAULT_AWS_REGION } from '../config/defaults.ts';
import { defaultRunDir, type Log, type StackConfig, stackConfig, stopService } from '../stack/lib.ts';
import { type ServiceStatus, stackDown, stackStatus, stackUp } from '../stack/stack.ts';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Ports; each defaults to its environment variable, then 9092 / 9093 / 4566 / 4567. */
  ports?: { kafka?: number; kafkaController?: number; aws?: number; moto?: number };
  /** Downloads (shared between projects). @default env `OPENSKY_STREAM_CACHE`, else `~/.cache/opensky-stream` */
  cacheDir?: string;
  /** Pid files, logs and data. @default env `OPENSKY_STREAM_RUN_DIR`, else the stack's default */
  runDir?: string;
  /** Progress lines (installs, starts). @default silent */
  log?: Log;
}

/** A running local stack and how to reach it. */
export interface LocalStack {
  /** Kafka bootstrap servers. */
  brokers: string[];
  /** The AWS endpoint (SNS, SQS, Lambda incl. Invoke, IAM, STS, CloudWatch). */
  endpoint: string;
  region: string;
  /** Credentials the endpoint accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The variables the CLI and the SDKs read: `KAFKA_BROKERS`, `AWS_ENDPOINT_URL`, `AWS_REGION`, keys. */
  env: Record<string, string>;
  /** Services this call started (the others were already running). */
  started: string[];
  config: StackConfig;
  /** Stop exactly the services this call started. */
  stop(): Promise<void>;
}

function configFrom(options: LocalStackOptions): StackConfig {
  const { ports = {} } = options;
  const env: NodeJS.ProcessEnv = { ...process.env };
  const set = (name: string, value: number | string | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set('KAFKA_PORT', ports.kafka);
  set('KAFKA_CONTROLLER_PORT', ports.kafkaController);
  set('AWS_PORT', ports.aws);
  set('MOTO_PORT', ports.moto);
  set('OPENSKY_STREAM_CACHE', options.cacheDir);
  set('OPENSKY_STREAM_RUN_DIR', options.runDir);
  return stackConfig(env);
}

/**
 * Start the stack (installing what is missing, cached) or reuse a running
 * one; resolves when every service answers. If it cannot start, it stops what
 * it started and rejects with the reason.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const config = configFrom(options);
  let started: string[];
  try {
    const timings = await stackUp(config, options.log ?? (() => {}));
    started = Object.entries(timings)
      .filter(([, seconds]) => seconds > 0)
      .map(([name]) => name);
  } catch (error) {
    await stackDown(config, () => {});
    throw error;
  }
  const endpoint = `http://${config.host}:${config.awsPort}`;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const brokers = [`${config.host}:${config.kafkaPort}`];
  return {
    brokers,
    endpoint,
    region: DEFAULT_AWS_REGION,
    credentials,
    env: {
      KAFKA_BROKERS: brokers.join(','),
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: DEFAULT_AWS_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    started,
    config,
    async stop() {
      for (const name of [...started].reverse()) await stopService(config, name);
      started = [];
    },
  };
}

/** What runs where: one row per service (health, pid, memory, log file). */
export function localStackStatus(options: LocalStackOptions = {}): Promise<ServiceStatus[]> {
  return stackStatus(configFrom(options));
}

export {
  type BatchResponseVerdict,
  buildKafkaEvent,
  type ConsumedRecord,
  type KafkaBatchResponse,
  type KafkaEvent,
  type KafkaEventRecord,
  parseBatchResponse,
} from '../handler/event.ts';
export { countPublished } from '../handler/metrics.ts';
export type { Log, ServiceStatus, StackConfig };
export { defaultRunDir };
