/** `opensky-stream invoke`: its flags and help (the implementation, src/cli/run/invoke.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { awsFlags, functionNameFlag, kafkaFlags, wholeNumber } from '../options.ts';
import { ExitCode } from '../runtime.ts';

export const invokeFlags = flags({
  ...awsFlags,
  ...functionNameFlag,
  // The sample event names the pipeline's topic and brokers, as the bridge's events do.
  brokers: kafkaFlags.brokers,
  topic: kafkaFlags.topic,
  event: { type: 'string', to: 'event', describe: 'The event: a JSON file, or - for standard input' },
  sample: {
    type: 'number',
    to: 'sample',
    describe:
      'Without --event: a Kafka event of this many state vectors, built as the pipeline builds it [default: 10]',
    parse: wholeNumber(),
  },
  replay: {
    type: 'string',
    to: 'replay',
    describe:
      'Without --event: take the state vectors from this recording (from `record`) instead of synthetic ones',
  },
});

export const invokeCommand = defineCommand({
  command: 'invoke',
  describe:
    "Invoke a function once with a Kafka event of sample records (or your event); print its answer and its log's end",
  flags: invokeFlags,
  help: (y) =>
    y
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
});
