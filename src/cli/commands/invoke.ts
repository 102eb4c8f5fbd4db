import { readFileSync } from 'node:fs';
import { ResourceNotFoundException } from '@aws-sdk/client-lambda';
import type { CommandModule } from 'yargs';
import { invokeFunction, invokeVerdict } from '../../deploy/invoke.ts';
import { checkFunctionName } from '../../deploy/options.ts';
import { sampleKafkaEvent } from '../../deploy/sample-event.ts';
import { ConfigError } from '../../errors.ts';
import type { CommandFactory } from '../command.ts';
import { awsClients } from '../config.ts';
import { awsOptions, functionNameOption, kafkaOptions } from '../options.ts';
import { ExitCode } from '../runtime.ts';

/** The event: a file's JSON, standard input's (`-`), or a sample Kafka event. */
async function eventOf(argv: Record<string, unknown>): Promise<string | object> {
  const file = argv.event as string | undefined;
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
    records: Number(argv.sample ?? 10),
    replay: argv.replay as string | undefined,
    topic: String(argv.topic),
    bootstrapServers: String(argv.brokers).split(','),
    seed: Date.now() % 100_000,
  });
  if (Object.keys(event.records).length === 0)
    throw new ConfigError('--replay', `holds no state vectors: ${String(argv.replay)}`);
  return event;
}

export const invokeCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'invoke',
  describe:
    "Invoke a function once with a Kafka event of sample records (or your event); print its answer and its log's end",
  builder: (y) =>
    y
      .options({ ...awsOptions(env), ...functionNameOption(env) })
      // The sample event names the pipeline's topic and brokers, as the bridge's events do.
      .options((({ brokers, topic }) => ({ brokers, topic }))(kafkaOptions(env)))
      .options({
        event: { type: 'string', describe: 'The event: a JSON file, or - for standard input' },
        sample: {
          type: 'number',
          describe:
            'Without --event: a Kafka event of this many state vectors, built as the pipeline builds it [default: 10]',
        },
        replay: {
          type: 'string',
          describe:
            'Without --event: take the state vectors from this recording (from `record`) instead of synthetic ones',
        },
      })
      .conflicts('event', ['sample', 'replay'])
      .example('$0 invoke --function-name my-fn --sample 5', 'five synthetic state vectors')
      .example('$0 invoke --function-name my-fn --event event.json', 'your own event')
      .epilogue(
        [
          "The answer (with batchItemFailures) goes to standard output; the end of the function's log",
          '(the last 4 KB, as Invoke returns it with LogType Tail) to standard error.',
          `Exit codes: ${ExitCode.OK} the function succeeded; ${ExitCode.FAILURE} it failed (a function error) or Invoke`,
          `failed; ${ExitCode.USAGE} bad flags, or no such function; ${ExitCode.PARTIAL} it answered with batchItemFailures`,
          '(records the event source mapping would retry).',
        ].join('\n'),
      ),
  handler: async (argv) => {
    const name = checkFunctionName(argv['function-name'], '--function-name');
    const event = await eventOf(argv);
    const { lambda } = awsClients(argv, env);
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
    exit.code = verdict === 'ok' ? ExitCode.OK : verdict === 'partial' ? ExitCode.PARTIAL : ExitCode.FAILURE;
  },
});
