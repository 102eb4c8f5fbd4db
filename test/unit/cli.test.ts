import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

// Flags are checked before anything connects: these runs need no Kafka, AWS or network.
describe('CLI: bad flags exit with 2 and say what is wrong', () => {
  it.each([
    [
      ['produce', '--interval', 'nonsense'],
      /--interval must be a duration like 30s, 5m, 1h \(got 'nonsense'\)/,
    ],
    [['produce', '--request-timeout', '5 minutes'], /--request-timeout must be a duration/],
    [['record', 'out.ndjson', '--duration', 'forever'], /--duration must be a duration/],
    [['bridge', '--batching-window', 'soon'], /--batching-window must be a duration/],
    [
      ['bridge', '--starting-position', 'yesterday'],
      /--starting-position must be LATEST, TRIM_HORIZON or an ISO time/,
    ],
    [['count', '--minutes', '-5'], /--minutes must be a positive number/],
    [['produce', '--max-snapshots', 'lots'], /--max-snapshots must be a number/],
    [['bridge', '--max-retries', 'many'], /--max-retries must be a number/],
    [
      ['produce', '--buffer-size', 'huge', '--base-url', 'http://127.0.0.1:9/api'],
      /--buffer-size must be a size/,
    ],
    [
      ['produce', '--metrics-port', '70000', '--base-url', 'http://127.0.0.1:9/api'],
      /--metrics-port must be an integer from 0 to 65535/,
    ],
    [['bridge', '--metrics-port', 'lots'], /--metrics-port must be a number/],
    // yargs's own checks: the command must not run at all.
    [['produce', '--bogus', '--base-url', 'http://127.0.0.1:9/api'], /Unknown argument: bogus/],
    [['produce', '--budget', 'lavish', '--base-url', 'http://127.0.0.1:9/api'], /Invalid values:/],
  ])(
    '%j',
    async (args, message) => {
      const result = await runCli(args, {}, 10_000);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/"msg":"producing"/);
      expect(result.code).toBe(2);
    },
    15_000,
  );
});

// A typo must not look like success: yargs alone printed the general help and exited 0 for
// `nope --help`, and only "Unknown argument" otherwise.
describe('CLI: unknown commands exit with 2 and name the commands there are', () => {
  it.each([
    [['nope'], /Unknown command 'nope'\. Commands: demo, produce, .*stack\./],
    [['nope', '--help'], /Unknown command 'nope'\./],
    [['Produce'], /Unknown command 'Produce'\. Did you mean 'produce'\?/],
    [['stack', 'start'], /Unknown stack command 'start'\. Commands: up, down, status, logs\./],
    [['stack', 'stauts', '--help'], /Unknown stack command 'stauts'\. Did you mean 'status'\?/],
    [['init', 'lambdas', 'dir'], /Unknown init command 'lambdas'\. Did you mean 'lambda'\?/],
    [['stack'], /Name a stack command: up, down, status, logs\./],
  ])(
    '%j',
    async (args, message) => {
      const result = await runCli(args, {}, 10_000);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).not.toMatch(/Commands:/);
      expect(result.code).toBe(2);
    },
    15_000,
  );

  it('still answers --help and --version with 0', async () => {
    for (const args of [['--help'], ['stack', '--help'], ['stack', 'logs', '--help'], ['--version']]) {
      const result = await runCli(args, {}, 10_000);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stderr, args.join(' ')).toBe('');
    }
  }, 30_000);
});

describe('CLI: --metrics-port', () => {
  it('exits 2 naming the flag when the port is in use, before connecting to anything', async () => {
    // Arrange: hold a port.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      // Act
      const result = await runCli(
        ['produce', '--metrics-port', String(port), '--base-url', 'http://127.0.0.1:9/api'],
        {},
        10_000,
      );
      // Assert
      expect(result.stderr).toMatch(/--metrics-port cannot serve metrics on 127\.0\.0\.1:\d+: .*in use/);
      expect(result.code).toBe(2);
    } finally {
      holder.close();
    }
  }, 15_000);
});
