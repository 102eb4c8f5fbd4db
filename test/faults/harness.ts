/**
 * The fault suite's harness: what every scenario needs to run the pipeline
 * through the CLI as users run it, break something, and count what came out.
 *
 * - {@link startFeed}: a fake OpenSky API serving moving traffic, with faults
 *   on chosen requests; every snapshot it serves in full is turned into the
 *   notifications it should give, with the library's `transformStateVector`.
 * - {@link CliProcess}: `node bin/opensky-stream.js <command>` in a child
 *   process, its JSON log lines kept, stopped with SIGINT as a user would.
 * - {@link Notifications}: an SQS queue subscribed to the deployed topic,
 *   drained continuously; deduplicated by MessageId (SQS's own redelivery),
 *   so a body received twice is a duplicate the pipeline made.
 * - {@link tally}: expected vs received as multisets → lost, duplicates, unknown.
 *
 * Used by scripts/faults.ts (the table) and test/integration/faults.test.ts (assertions).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Kafka, logLevel } from 'kafkajs';
import { sleep, stackConfig } from '../../src/stack/lib.ts';
import { packageRoot } from '../../src/util/package-root.ts';

const repoRoot = packageRoot();

import { generateTraffic } from '../../src/synthetic/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { type ScriptedReply, startOpenSkyServer } from '../support/opensky-server.ts';

/** The stack a scenario runs against. */
export interface StackEndpoints {
  brokers: string[];
  /** The AWS endpoint (Lambda, SNS, SQS). */
  endpoint: string;
  /** Where the endpoint writes each function's log (`lambda/functions/<name>.log`). */
  runDir: string;
}

/** The local stack's addresses (from the same environment `stack:up` reads). */
export function stackEndpoints(): StackEndpoints {
  const cfg = stackConfig();
  return {
    brokers: (process.env.KAFKA_BROKERS ?? `${cfg.host}:${cfg.kafkaPort}`).split(','),
    endpoint: process.env.AWS_ENDPOINT_URL ?? `http://${cfg.host}:${cfg.awsPort}`,
    runDir: cfg.runDir,
  };
}

export const awsConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/** Poll `check` every 200 ms until true or `timeoutMs` passed; returns whether it became true. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

// --- the OpenSky side ---

/** What a scenario makes the fake OpenSky answer to request `n` (0-based); `undefined`: the next snapshot. */
export type FeedFault = (n: number) => { label: string; reply: ScriptedReply } | undefined;

export interface Feed {
  baseUrl: string;
  tokenUrl: string;
  /** Notification bodies the served snapshots should give (JSON of each in-air FlightRecord). */
  expected: string[];
  /** The snapshot (1, 2, …) each of {@link expected} comes from. */
  snapshotOf: number[];
  /** Snapshots served in full with HTTP 200. */
  readonly snapshots: number;
  /** Faults served, by label. */
  faults: Record<string, number>;
  /** Requests to /api/states/all, and how many carried a bearer token. */
  readonly requests: number;
  readonly authorized: number;
  readonly tokenRequests: number;
  close(): Promise<void>;
}

export async function startFeed(options: {
  aircraft: number;
  seed: number;
  fault?: FeedFault;
  /** The token endpoint: `replies[i]` scripts token request i (a hole hands out a token). */
  token?: { replies: ScriptedReply[]; expiresIn: number };
}): Promise<Feed> {
  const traffic = generateTraffic({
    aircraft: options.aircraft,
    seed: options.seed,
    stepSeconds: 5,
    time: Math.floor(Date.now() / 1000) - 3600,
  });
  const expected: string[] = [];
  const snapshotOf: number[] = [];
  const faults: Record<string, number> = {};
  let snapshots = 0;
  const server = await startOpenSkyServer({
    reply: (n) => {
      const fault = options.fault?.(n);
      if (fault) {
        faults[fault.label] = (faults[fault.label] ?? 0) + 1;
        return fault.reply;
      }
      const body = traffic.next().value;
      for (const row of body.states ?? []) {
        const record = transformStateVector(row);
        if (!record) continue;
        expected.push(JSON.stringify(record));
        snapshotOf.push(snapshots + 1);
      }
      snapshots++;
      return { body };
    },
    ...(options.token
      ? {
          token: {
            value: (n: number) => `token-${n}`,
            expiresIn: options.token.expiresIn,
            replies: options.token.replies,
          },
        }
      : {}),
  });
  return {
    baseUrl: server.baseUrl,
    tokenUrl: server.tokenUrl,
    expected,
    snapshotOf,
    get snapshots() {
      return snapshots;
    },
    faults,
    get requests() {
      return server.requests.length;
    },
    get authorized() {
      return server.requests.filter((r) => r.authorization?.startsWith('Bearer ')).length;
    },
    get tokenRequests() {
      return server.tokenRequests.length;
    },
    close: () => server.close(),
  };
}

// --- the CLI ---

const bin = join(repoRoot, 'bin', 'opensky-stream.js');

/** How a CLI process ended. `hung`: it did not exit within the time it was given and was SIGKILLed. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  hung: boolean;
}

/** `opensky-stream <args>` running in a child process. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly command: string;
  stdout = '';
  stderr = '';
  exit: Omit<CliExit, 'hung'> | undefined;
  private readonly exited: Promise<Omit<CliExit, 'hung'>>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.command = args[0] ?? '';
    this.child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => {
      this.stdout += chunk;
    });
    this.child.stderr!.on('data', (chunk) => {
      this.stderr += chunk;
      if (process.env.DEBUG_FAULTS) process.stderr.write(`[${this.command}] ${chunk}`);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** JSON log lines (stderr) whose `msg` is `message`. */
  logged(message: string): Array<Record<string, unknown>> {
    return jsonLines(this.stderr).filter((line) => line.msg === message);
  }

  /** Wait up to `timeoutMs` for the process to exit on its own; SIGKILL it after that. */
  async wait(timeoutMs: number): Promise<CliExit> {
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.exited,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (ended) return { ...ended, hung: false };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), hung: true };
  }

  /** SIGINT (a graceful stop, as Ctrl-C), then wait up to `timeoutMs`. */
  async stop(timeoutMs = 45_000): Promise<CliExit> {
    if (this.running) this.child.kill('SIGINT');
    return this.wait(timeoutMs);
  }

  /** SIGKILL and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The last lines of stderr, for notes. */
  tail(lines = 5): string {
    return this.stderr.trim().split('\n').slice(-lines).join('\n');
  }
}

/** CLI arguments from options by name: `{ 'batch-size': '50' }` → `['--batch-size', '50']`. */
export const flags = (options: Record<string, string>): string[] =>
  Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]);

/** The JSON log lines in `text` (other lines, and lines cut short, are skipped). */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  }
  return lines;
}

/** The environment a user's shell would give the CLI for this stack. */
export function cliEnv(brokers: string[], endpoint: string): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: brokers.join(','),
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    OPENSKY_STREAM_LOG_LEVEL: 'info',
    // The Kafka library the fault suite runs (`npm run faults -- --kafka-client platformatic`).
    ...(process.env.KAFKA_CLIENT ? { KAFKA_CLIENT: process.env.KAFKA_CLIENT } : {}),
  };
}

// --- the SNS side ---

/** An SQS queue subscribed (raw delivery) to a topic, drained until closed. */
export class Notifications {
  /** Bodies received, one per distinct MessageId. */
  readonly bodies: string[] = [];
  private readonly seen = new Set<string>();
  private lastArrival = Date.now();
  private closed = false;
  private draining: Promise<unknown> = Promise.resolve();

  private readonly sqs: SQSClient;
  private readonly queueUrl: string;

  private constructor(sqs: SQSClient, queueUrl: string) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  static async open(endpoint: string, topicArn: string, name: string): Promise<Notifications> {
    const sqs = new SQSClient(awsConfig(endpoint));
    const sns = new SNSClient(awsConfig(endpoint));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: Attributes!.QueueArn!,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const notifications = new Notifications(sqs, QueueUrl!);
    notifications.draining = Promise.all([1, 2, 3].map(() => notifications.receiver()));
    return notifications;
  }

  private async receiver(): Promise<void> {
    while (!this.closed) {
      try {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const message of Messages) {
          if (this.seen.has(message.MessageId!)) continue;
          this.seen.add(message.MessageId!);
          this.bodies.push(message.Body ?? '');
          this.lastArrival = Date.now();
        }
        if (Messages.length) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch {
        await sleep(500);
      }
    }
  }

  /** Wait until nothing new arrived for `quietMs` (late duplicates show up here). */
  async settle(quietMs = 4000, maxMs = 60_000): Promise<void> {
    await until(() => Date.now() - this.lastArrival >= quietMs, maxMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl })).catch(() => undefined);
  }
}

/** Expected vs received notification bodies, as multisets. */
export interface Tally {
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Received bodies no served snapshot gives. */
  unknown: number;
}

export function tally(expected: readonly string[], received: readonly string[]): Tally {
  const wanted = new Map<string, number>();
  for (const body of expected) wanted.set(body, (wanted.get(body) ?? 0) + 1);
  const left = new Map(wanted);
  let matched = 0;
  let duplicates = 0;
  let unknown = 0;
  for (const body of received) {
    const n = left.get(body);
    if (n === undefined) unknown++;
    else if (n > 0) {
      left.set(body, n - 1);
      matched++;
    } else duplicates++;
  }
  return {
    expected: expected.length,
    delivered: received.length,
    lost: expected.length - matched,
    duplicates,
    unknown,
  };
}

/**
 * Where the lost notifications come from, for a failed row's note: how many of each snapshot
 * (`#3 ×43`), and the first few aircraft (what to look for in the poller's and function's logs).
 */
export function describeLost(
  feed: Pick<Feed, 'expected' | 'snapshotOf'>,
  received: readonly string[],
): string {
  const left = new Map<string, number>();
  for (const body of received) left.set(body, (left.get(body) ?? 0) + 1);
  const bySnapshot = new Map<number, number>();
  const aircraft: string[] = [];
  feed.expected.forEach((body, i) => {
    const n = left.get(body) ?? 0;
    if (n > 0) {
      left.set(body, n - 1);
      return;
    }
    const snapshot = feed.snapshotOf[i] ?? 0;
    bySnapshot.set(snapshot, (bySnapshot.get(snapshot) ?? 0) + 1);
    if (aircraft.length < 5) aircraft.push((JSON.parse(body) as { icao24: string }).icao24);
  });
  const counts = [...bySnapshot].map(([snapshot, n]) => `#${snapshot} ×${n}`).join(', ');
  return `lost by snapshot: ${counts}; first aircraft: ${aircraft.join(', ')}`;
}

// --- Kafka and the function's log ---

/** Records in `topic` (0 when it does not exist): what the bridge dead-lettered, for `<topic>-dlq`. */
export async function topicRecords(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'faults-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'faults-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length) await admin.deleteTopics({ topics: doomed }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Records the function logged as malformed (`record is not a valid state vector`), as
 * distinct `<topic>-<partition>@<offset>` with their reason: a retried batch logs them again.
 */
export function malformedRecords(runDir: string, functionName: string): Map<string, string> {
  const file = join(runDir, 'lambda', 'functions', `${functionName}.log`);
  const found = new Map<string, string>();
  if (!existsSync(file)) return found;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('record is not a valid state vector')) continue;
    try {
      const parsed = JSON.parse(line) as { partition?: string; offset?: number; reason?: string };
      found.set(`${parsed.partition}@${parsed.offset}`, parsed.reason ?? '');
    } catch {
      // a line cut by the runtime: skip
    }
  }
  return found;
}

export async function deleteAws(endpoint: string, functions: string[], topicArns: string[]): Promise<void> {
  const lambda = new LambdaClient(awsConfig(endpoint));
  const sns = new SNSClient(awsConfig(endpoint));
  for (const name of functions)
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
  for (const arn of topicArns)
    await sns.send(new DeleteTopicCommand({ TopicArn: arn })).catch(() => undefined);
}
