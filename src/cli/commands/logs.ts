/** `opensky-stream logs`: its flags and help (the implementation, src/cli/run/logs.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { awsFlags, functionNameFlag, positiveDuration } from '../options.ts';
import { ExitCode } from '../runtime.ts';

export const logsFlags = flags({
  ...awsFlags,
  ...functionNameFlag,
  since: {
    type: 'string',
    to: 'sinceMs',
    default: '10m',
    describe: 'From this long ago (30s, 10m, 2h)',
    parse: positiveDuration,
  },
  follow: {
    type: 'boolean',
    to: 'follow',
    alias: 'f',
    default: false,
    describe: 'Keep printing new lines, until Ctrl-C',
  },
});

export const logsCommand = defineCommand({
  command: 'logs',
  describe: "Print a function's log: the local stack's execution environments, or CloudWatch Logs on AWS",
  flags: logsFlags,
  help: (y) =>
    y
      .example('$0 logs --function-name my-fn --since 1h', 'the last hour')
      .example('$0 logs --function-name my-fn -f', 'and what it logs next')
      .epilogue(
        [
          'With --endpoint-url of the local stack: the file its endpoint writes (<run dir>/lambda/functions/<name>.log),',
          'in the run dir the running stack reports. Otherwise the log group of the function (LoggingConfig.LogGroup,',
          'default /aws/lambda/<name>) through FilterLogEvents (needs logs:FilterLogEvents).',
          `Exit codes: ${ExitCode.OK} done; ${ExitCode.USAGE} bad flags, or no such function; ${ExitCode.FAILURE} an AWS call failed.`,
        ].join('\n'),
      ),
});
