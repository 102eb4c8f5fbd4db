/** `opensky-stream logs`, run (flags: src/cli/commands/logs.ts). */
import { LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { currentFunction } from '../../deploy/function.ts';
import {
  CloudWatchLogsReader,
  functionLogGroup,
  localFunctionLog,
  readLocalFunctionLog,
} from '../../deploy/function-logs.ts';
import { checkFunctionName } from '../../deploy/options.ts';
import { ConfigError } from '../../errors.ts';
import { followLogs, runningStackRunDir } from '../../stack/logs.ts';
import { pause } from '../../util/retry.ts';
import type { CommandRun } from '../command.ts';
import type { logsFlags } from '../commands/logs.ts';
import { awsConfig } from '../config.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';

const write = (text: string) => process.stdout.write(text);

async function ensureExists(lambda: LambdaClient, name: string): Promise<void> {
  if (!(await currentFunction(lambda, name)))
    throw new ConfigError('--function-name', `names no function: '${name}' (check the name and --region)`);
}

/** The local stack: the file its endpoint appends the execution environments' output to. */
async function localLogs(file: string, since: number, follow: boolean, name: string): Promise<void> {
  const lines = readLocalFunctionLog(file, since);
  if (lines === undefined)
    process.stderr.write(`no log of ${name} yet (not invoked since it was deployed)\n`);
  else if (lines.length > 0) write(`${lines.join('\n')}\n`);
  if (!follow) return;
  const { signal, dispose } = shutdownSignal(cliLogger('warn', 'logs'));
  try {
    await followLogs([{ name: 'lambda', path: file }], { signal, write });
  } finally {
    dispose();
  }
}

/** AWS (or LocalStack): the function's CloudWatch Logs group, polled every 2 s with --follow. */
async function cloudWatchLogs(
  lambda: LambdaClient,
  name: string,
  since: number,
  follow: boolean,
): Promise<void> {
  let group: string;
  try {
    group = await functionLogGroup(lambda, name);
  } catch (error) {
    if (error instanceof ResourceNotFoundException)
      throw new ConfigError('--function-name', `names no function: '${name}' (check the name and --region)`);
    throw error;
  }
  const reader = new CloudWatchLogsReader(lambda, group);
  const { signal, dispose } = follow
    ? shutdownSignal(cliLogger('warn', 'logs'))
    : { signal: new AbortController().signal, dispose: () => {} };
  // Events at the last timestamp seen come again from the next poll (startTime is inclusive): skip those.
  let from = since;
  let seen = new Set<string>();
  let told = false;
  try {
    do {
      const events = await reader.events(from, signal).catch((error: unknown) => {
        if (signal.aborted) return [];
        throw error;
      });
      if (events === undefined && !told) {
        process.stderr.write(`no log group ${group} yet (not invoked since it was deployed)\n`);
        told = true;
      }
      const fresh = (events ?? []).filter(
        (event) => !seen.has(event.eventId ?? `${event.timestamp}${event.message}`),
      );
      for (const event of fresh) write(event.message.endsWith('\n') ? event.message : `${event.message}\n`);
      const last = fresh.at(-1)?.timestamp;
      if (last !== undefined) {
        seen = last === from ? seen : new Set();
        for (const event of fresh)
          if (event.timestamp === last) seen.add(event.eventId ?? `${event.timestamp}${event.message}`);
        from = last;
      }
    } while (follow && (await pause(2000, signal)));
  } finally {
    dispose();
    reader.close();
  }
}

export const runLogs: CommandRun<typeof logsFlags> = async (o, { env }) => {
  const name = checkFunctionName(o.functionName, '--function-name');
  const since = Date.now() - o.sinceMs;
  const config = awsConfig(o.aws, env);
  const lambda = new LambdaClient(config);
  const runDir = config.endpoint ? await runningStackRunDir(config.endpoint) : undefined;
  if (runDir) {
    await ensureExists(lambda, name);
    await localLogs(localFunctionLog(runDir, name), since, o.follow, name);
  } else {
    await cloudWatchLogs(lambda, name, since, o.follow);
  }
  return ExitCode.OK;
};
