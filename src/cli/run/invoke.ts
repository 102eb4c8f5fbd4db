/** `opensky-stream invoke`, run (flags: src/cli/commands/invoke.ts). */
import { readFileSync } from 'node:fs';
import { LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { invokeFunction, invokeVerdict } from '../../deploy/invoke.ts';
import { checkFunctionName } from '../../deploy/options.ts';
import { sampleKafkaEvent } from '../../deploy/sample-event.ts';
import { ConfigError } from '../../errors.ts';
import type { CommandRun } from '../command.ts';
import type { invokeFlags } from '../commands/invoke.ts';
import { awsConfig } from '../config.ts';
import type { FlagValues } from '../flags.ts';
import { ExitCode } from '../runtime.ts';

type InvokeOptions = FlagValues<typeof invokeFlags>;

/** The event: a file's JSON, standard input's (`-`), or a sample Kafka event. */
async function eventOf(o: InvokeOptions): Promise<string | object> {
  const file = o.event;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (error) {
      throw new ConfigError('--event', `cannot be read: ${(error as Error).message}`);
    }
    try {
      JSON.parse(text);
    } catch (error) {
      throw new ConfigError('--event', `must hold JSON: ${(error as Error).message}`);
    }
    return text;
  }
  const event = await sampleKafkaEvent({
    records: o.sample ?? 10,
    replay: o.replay,
    topic: o.kafka.topic,
    bootstrapServers: o.kafka.brokers,
    seed: Date.now() % 100_000,
  });
  if (Object.keys(event.records).length === 0)
    throw new ConfigError('--replay', `holds no state vectors: ${String(o.replay)}`);
  return event;
}

export const runInvoke: CommandRun<typeof invokeFlags> = async (o, { env }) => {
  const name = checkFunctionName(o.functionName, '--function-name');
  const event = await eventOf(o);
  const lambda = new LambdaClient(awsConfig(o.aws, env));
  let outcome: Awaited<ReturnType<typeof invokeFunction>>;
  try {
    outcome = await invokeFunction(lambda, name, event);
  } catch (error) {
    if (error instanceof ResourceNotFoundException)
      throw new ConfigError(
        '--function-name',
        `names no function: '${name}' (deploy it first, or check --region)`,
      );
    throw error;
  }
  const payload = outcome.payload;
  process.stdout.write(`${typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2)}\n`);
  if (outcome.logTail)
    process.stderr.write(`--- log (end) of ${name} ---\n${outcome.logTail.replace(/\n?$/, '\n')}`);
  const verdict = invokeVerdict(outcome);
  if (verdict === 'function-error') process.stderr.write(`${name} failed (${outcome.functionError})\n`);
  return verdict === 'ok' ? ExitCode.OK : verdict === 'partial' ? ExitCode.PARTIAL : ExitCode.FAILURE;
};
