import type { Argv, CommandModule } from 'yargs';
import { type StackConfig, stackConfig } from '../../stack/lib.ts';
import {
  followLogs,
  lastLines,
  runningStackRunDir,
  type StackLogName,
  stackLogNames,
  stackLogs,
} from '../../stack/logs.ts';
import type { CommandFactory, ExitBox } from '../command.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';

// Starting and stopping services loads when a sub-command runs, not for every command.
const stack = () => import('../../stack/stack.ts');

/** The sub-commands of `stack`, for the unknown-command check in main.ts. */
export const stackSubcommands = ['up', 'down', 'status', 'logs'] as const;

const log = (message: string) => process.stderr.write(`[stack] ${message}\n`);

/** The variables that point the other commands (and the AWS SDK, kafkajs) at this stack. */
function clientEnv(cfg: StackConfig): Record<string, string> {
  return {
    KAFKA_BROKERS: `${cfg.host}:${cfg.kafkaPort}`,
    AWS_ENDPOINT_URL: `http://${cfg.host}:${cfg.awsPort}`,
  };
}

const upCommand = (env: NodeJS.ProcessEnv, exit: ExitBox): CommandModule => ({
  command: 'up',
  describe:
    'Install what is missing (cached), start what is not running, wait until every service is healthy',
  builder: (y) =>
    y.option('json', { type: 'boolean', default: false, describe: 'Print one JSON line instead of text' }),
  handler: async (argv) => {
    const cfg = stackConfig(env);
    const started = performance.now();
    const timings = await (await stack()).stackUp(cfg, log);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    if (argv.json) {
      console.log(
        JSON.stringify({
          event: 'stack.up',
          seconds,
          services: timings,
          runDir: cfg.runDir,
          env: clientEnv(cfg),
        }),
      );
    } else {
      const each = Object.entries(timings)
        .map(([name, s]) => `${name} ${s === 0 ? 'already running' : `${s.toFixed(1)}s`}`)
        .join(', ');
      console.log(`stack up in ${seconds.toFixed(1)}s (${each}); logs and pids in ${cfg.runDir}`);
      console.log('point the other commands at it with:');
      for (const [name, value] of Object.entries(clientEnv(cfg))) console.log(`  export ${name}=${value}`);
    }
    exit.code = ExitCode.OK;
  },
});

const downCommand = (env: NodeJS.ProcessEnv, exit: ExitBox): CommandModule => ({
  command: 'down',
  describe: 'Stop what `stack up` started (by pid, whole process groups); leaves other processes alone',
  handler: async () => {
    const cfg = stackConfig(env);
    const stopped = await (await stack()).stackDown(cfg, log);
    if (stopped.length === 0) log(`nothing to stop: no pid files in ${cfg.runDir}`);
    exit.code = ExitCode.OK;
  },
});

const statusCommand = (env: NodeJS.ProcessEnv, exit: ExitBox): CommandModule => ({
  command: 'status',
  describe: `What runs where, pids, memory and log files; exits ${ExitCode.OK} when every service is up, ${ExitCode.PARTIAL} otherwise`,
  builder: (y) =>
    y.option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' }),
  handler: async (argv) => {
    const cfg = stackConfig(env);
    const rows = await (await stack()).stackStatus(cfg);
    const down = rows.filter((row) => !row.healthy).map((row) => row.name);
    exit.code = down.length === 0 ? ExitCode.OK : ExitCode.PARTIAL;
    if (argv.json) {
      console.log(JSON.stringify({ up: down.length === 0, runDir: cfg.runDir, services: rows }));
      return;
    }
    const owner = (row: (typeof rows)[number]) =>
      row.pid === undefined ? (row.healthy ? '(not started by this stack)' : '') : `pid ${row.pid}`;
    const width = (cell: (row: (typeof rows)[number]) => string) =>
      Math.max(...rows.map((row) => cell(row).length));
    const endpointWidth = width((row) => row.endpoint);
    const ownerWidth = width(owner);
    for (const row of rows) {
      const state = row.healthy ? 'up  ' : 'down';
      const mem = row.rssMiB === undefined ? '' : `${row.rssMiB} MiB`;
      console.log(
        `${row.name.padEnd(7)} ${state} ${row.endpoint.padEnd(endpointWidth)} ${owner(row).padEnd(ownerWidth)} ${mem.padStart(8)}  ${row.log}`,
      );
    }
    const total = rows.reduce((sum, row) => sum + (row.rssMiB ?? 0), 0);
    console.log(`total resident memory of started services: ${total} MiB`);
    if (down.length === rows.length) console.log('stack: not running (`opensky-stream stack up` starts it)');
    else if (down.length > 0)
      console.log(
        `stack: partly running, down: ${down.join(', ')} (\`opensky-stream stack up\` starts them)`,
      );
    else console.log('stack: up');
  },
});

const logsCommand = (env: NodeJS.ProcessEnv, exit: ExitBox): CommandModule => ({
  command: 'logs [service]',
  describe: "Print the end of the services' logs (--follow: and what they write next, until Ctrl-C)",
  builder: (y) =>
    y
      .positional('service', {
        type: 'string',
        choices: stackLogNames,
        describe: 'One log only (install: downloads and builds); default all',
      })
      .option('lines', { alias: 'n', type: 'number', default: 40, describe: 'Lines per log' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new lines' })
      .check((argv) => {
        const lines = Number(argv.lines);
        if (!Number.isInteger(lines) || lines < 0) throw new Error('--lines must be a whole number ≥ 0');
        return true;
      }),
  handler: async (argv) => {
    let cfg = stackConfig(env);
    // The running stack's own run dir, unless one is asked for: it may have been started by another
    // installation (a checkout's .stack/ vs an installed package's state directory).
    if (!env.OPENSKY_STREAM_RUN_DIR) {
      const runDir = await runningStackRunDir(`http://${cfg.host}:${cfg.awsPort}`);
      if (runDir) cfg = { ...cfg, runDir };
    }
    const names = argv.service === undefined ? stackLogNames : [argv.service as StackLogName];
    const logs = stackLogs(cfg, names);
    const several = logs.length > 1;
    let found = 0;
    for (const entry of logs) {
      const text = lastLines(entry, Number(argv.lines));
      if (text === undefined) {
        if (!several) process.stderr.write(`no log yet: ${entry.path}\n`);
        continue;
      }
      found++;
      if (several) process.stdout.write(`${found > 1 ? '\n' : ''}==> ${entry.path} <==\n`);
      if (text !== '') process.stdout.write(`${text}\n`);
    }
    if (found === 0 && several) process.stderr.write(`no logs yet in ${cfg.runDir}\n`);
    if (argv.follow) {
      const { signal, dispose } = shutdownSignal(cliLogger('warn', 'stack'));
      try {
        await followLogs(logs, { signal, write: (text) => process.stdout.write(text) });
      } finally {
        dispose();
      }
    }
    exit.code = ExitCode.OK;
  },
});

export const stackCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'stack',
  describe: 'The native local stack, no Docker: Kafka, moto and the AWS endpoint that runs Lambda Invoke',
  builder: (y: Argv) =>
    y
      .command(upCommand(env, exit))
      .command(downCommand(env, exit))
      .command(statusCommand(env, exit))
      .command(logsCommand(env, exit))
      .demandCommand(1, `Name a stack command: ${stackSubcommands.join(', ')}.`)
      .epilogue(
        [
          'Needs Java 17+, Maven, Python 3.9+ and Go 1.22+ on the first `up`; downloads are cached in',
          '$OPENSKY_STREAM_CACHE (default ~/.cache/opensky-stream).',
          'Pid files, logs and data: $OPENSKY_STREAM_RUN_DIR (default .stack/ in a source checkout,',
          'else $XDG_STATE_HOME/opensky-stream, i.e. ~/.local/state/opensky-stream).',
          'Ports: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), AWS_PORT (4566), MOTO_PORT (4567).',
          `Exit codes: ${ExitCode.OK} done; status: ${ExitCode.OK} every service up, ${ExitCode.PARTIAL} some or all down;`,
          `${ExitCode.FAILURE} a service could not be installed or started; ${ExitCode.USAGE} bad command or flags.`,
        ].join('\n'),
      ),
  handler: () => {},
});
