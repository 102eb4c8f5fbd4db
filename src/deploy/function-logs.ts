/**
 * `logs`: one function's log. On the local stack, what its execution
 * environments wrote (the endpoint appends it to
 * `<runDir>/lambda/functions/<name>.log`); on AWS (or LocalStack), its
 * CloudWatch Logs group, read with FilterLogEvents, a signed JSON-protocol
 * call of our own (signed-http.ts) so no CloudWatch Logs SDK is needed.
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type SdkClientConfig, SignedHttpClient } from '../aws/signed-http.ts';
import { jsonProtocolError } from '../aws/sqs-queue.ts';

/** Where the local stack's endpoint writes what the function's execution environments print. */
export const localFunctionLog = (runDir: string, functionName: string): string =>
  join(runDir, 'lambda', 'functions', `${functionName}.log`);

/** One line of a log with the time it was written (milliseconds since the epoch). */
export interface TimedLine {
  time: number;
  line: string;
}

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/;
const RUNTIME_EPOCH = /^\[[A-Z]+\] \[(\d{13})\]/;

/** The time a line carries: a leading ISO time (the Node runtimes' format), JSON `time`/`timestamp`, or `[LEVEL] [epoch ms]`. */
function ownTime(line: string): number | undefined {
  const iso = ISO.exec(line)?.[1] ?? (line.startsWith('{') ? jsonTime(line) : undefined);
  if (iso !== undefined) {
    const time = typeof iso === 'number' ? iso : Date.parse(iso);
    return Number.isFinite(time) ? time : undefined;
  }
  const epoch = RUNTIME_EPOCH.exec(line)?.[1];
  return epoch === undefined ? undefined : Number(epoch);
}

function jsonTime(line: string): string | number | undefined {
  try {
    const parsed = JSON.parse(line) as { time?: unknown; timestamp?: unknown };
    const value = parsed.time ?? parsed.timestamp;
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Give every line of a local function log a time. Lines of one invocation
 * (`START RequestId` … `REPORT RequestId`) share the time of its first dated
 * line; other undated lines take the time of the next dated line, and those
 * at the end the file's modification time (`endTime`), when they were written.
 */
export function timeLines(text: string, endTime: number): TimedLine[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const times: Array<number | undefined> = lines.map(ownTime);
  // Invocation blocks: every line takes the block's first time.
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('START RequestId:')) start = i;
    if (start >= 0 && lines[i]!.startsWith('REPORT RequestId:')) {
      const first = times.slice(start, i + 1).find((time) => time !== undefined);
      if (first !== undefined) for (let j = start; j <= i; j++) times[j] = first;
      start = -1;
    }
  }
  let next = endTime;
  const timed: TimedLine[] = new Array(lines.length);
  for (let i = lines.length - 1; i >= 0; i--) {
    next = times[i] ?? next;
    timed[i] = { time: times[i] ?? next, line: lines[i]! };
  }
  return timed;
}

/** The lines of a local function log written at or after `since` (ms); `undefined` when there is no log (never invoked). */
export function readLocalFunctionLog(file: string, since: number): string[] | undefined {
  let text: string;
  let modified: number;
  try {
    text = readFileSync(file, 'utf8');
    modified = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  return timeLines(text, modified)
    .filter(({ time }) => time >= since)
    .map(({ line }) => line);
}

/** One CloudWatch Logs event, as FilterLogEvents returns it. */
export interface CloudWatchLogEvent {
  timestamp: number;
  message: string;
  logStreamName?: string;
  eventId?: string;
}

/** The function's log group: its `LoggingConfig.LogGroup`, else Lambda's default `/aws/lambda/<name>`. */
export async function functionLogGroup(lambda: LambdaClient, functionName: string): Promise<string> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return config.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`;
}

/**
 * CloudWatch Logs' endpoint for a region when the client has no custom
 * endpoint: `logs.<region>.amazonaws.com` (`.amazonaws.com.cn` in China).
 */
export function logsEndpoint(region: string): URL {
  return new URL(`https://logs.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
}

/** FilterLogEvents on one log group, with the endpoint, region and credentials of an SDK client. */
export class CloudWatchLogsReader {
  private readonly http: SignedHttpClient;
  readonly logGroupName: string;

  /** `client`: any AWS SDK v3 client (the Lambda one) whose region, credentials and custom endpoint to use. */
  constructor(client: { config: unknown }, logGroupName: string) {
    const config = client.config as SdkClientConfig;
    this.http = new SignedHttpClient(
      {
        region: config.region,
        credentials: config.credentials,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        endpointProvider: (params) => ({ url: logsEndpoint(String(params.Region)) }),
      },
      'logs',
    );
    this.logGroupName = logGroupName;
  }

  /**
   * Every event from `startTime` (ms) on, following `nextToken` to the end;
   * `undefined` when the log group does not exist (a function never invoked).
   */
  async events(startTime: number, signal?: AbortSignal): Promise<CloudWatchLogEvent[] | undefined> {
    const events: CloudWatchLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const response = await this.http.post(
        JSON.stringify({ logGroupName: this.logGroupName, startTime, ...(nextToken ? { nextToken } : {}) }),
        { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.FilterLogEvents' },
        signal,
      );
      if (response.status !== 200) {
        const error = jsonProtocolError(response);
        if (error.code === 'ResourceNotFoundException') return undefined;
        throw error;
      }
      const page = JSON.parse(response.body) as { events?: CloudWatchLogEvent[]; nextToken?: string };
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  /** Close kept-alive connections. */
  close(): void {
    this.http.destroy();
  }
}
