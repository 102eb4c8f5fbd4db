import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import { configDocsPath, renderConfigDocs } from '../../scripts/gen-config-docs.ts';
import type { CommandFactory } from '../../src/cli/command.ts';
import { commands } from '../../src/cli/commands.ts';
import { describeCommands } from '../../src/cli/describe.ts';
import { envOption } from '../../src/cli/options.ts';

const STALE =
  'docs/configuration.md is not what the CLI option definitions give: run `npm run docs:config` and commit the result';

describe('docs/configuration.md', () => {
  it('is exactly what `npm run docs:config` generates from the CLI', () => {
    // Arrange
    const generated = renderConfigDocs();
    // Act
    const committed = readFileSync(configDocsPath, 'utf8');
    // Assert
    expect(committed, STALE).toBe(generated);
  });

  it('has a section for every command and a row for every flag', () => {
    const page = renderConfigDocs();
    for (const command of describeCommands()) {
      expect(page).toContain(`## opensky-stream ${command.name}\n`);
      for (const flag of command.flags)
        expect(page).toContain(flag.positional ? flag.name : `--${flag.name}`);
    }
  });
});

describe('describeCommands', () => {
  it('reads every command the CLI registers', () => {
    expect(describeCommands().map((c) => c.name)).toEqual(
      commands.map((factory) =>
        String(factory({}, { code: 0 }).command)
          .split(' ')
          .filter((word) => !/^[<[]/.test(word))
          .join(' '),
      ),
    );
  });

  it('gives the built-in defaults, not those of the environment it runs in', () => {
    const bridge = (env?: NodeJS.ProcessEnv) =>
      describeCommands(commands, env)
        .find((c) => c.name === 'bridge')
        ?.flags.find((f) => f.name === 'brokers');
    expect(bridge()).toMatchObject({ env: 'KAFKA_BROKERS', default: '127.0.0.1:9092' });
    expect(bridge({ KAFKA_BROKERS: 'kafka.example:9092' })).toMatchObject({ default: 'kafka.example:9092' });
  });

  it('reads sub-commands, positionals, aliases, groups and examples', () => {
    // Arrange: a command shaped like one with sub-commands (`stack up|logs`)
    const logs: CommandModule = {
      command: 'logs [service]',
      describe: 'Print the logs',
      builder: (y) =>
        y
          .positional('service', { type: 'string', choices: ['kafka', 'aws'], describe: 'One log only' })
          .option('lines', { alias: 'n', type: 'number', default: 40, describe: 'Lines per log' })
          .check(() => true),
      handler: () => {},
    };
    const tool: CommandFactory = (env) => ({
      command: 'tool',
      describe: 'A tool',
      builder: (y) =>
        y
          .command({ command: 'up', describe: 'Start', handler: () => {} })
          .command(logs)
          .options({
            port: envOption(env, 'TOOL_PORT', {
              type: 'number',
              describe: 'Port',
              default: 1,
              group: 'Net:',
            }),
          })
          .example('$0 tool logs -n 5', 'five lines')
          .demandCommand(1),
      handler: () => {},
    });
    // Act
    const [doc] = describeCommands([tool]);
    const page = renderConfigDocs(describeCommands([tool])).replace(/ {2,}/g, ' '); // padding aside
    // Assert
    expect(doc?.subcommands.map((c) => [c.name, c.usage])).toEqual([
      ['tool up', 'tool up'],
      ['tool logs', 'tool logs [service]'],
    ]);
    expect(doc?.flags).toEqual([
      expect.objectContaining({
        name: 'port',
        env: 'TOOL_PORT',
        default: 1,
        describe: 'Port',
        group: 'Net:',
      }),
    ]);
    expect(doc?.examples).toEqual([{ command: '$0 tool logs -n 5', description: 'five lines' }]);
    expect(page).toContain('### opensky-stream tool logs\n');
    expect(page).toContain('| `[service]` | — | — | One log only. One of `kafka`, `aws`. |');
    expect(page).toContain('| `--lines <number>`, `-n` | — | `40` | Lines per log. |');
    expect(page).toContain('| `--port <number>` | `TOOL_PORT` | `1` | Port. |');
    expect(page).toContain('[`opensky-stream tool logs`](#opensky-stream-tool-logs)');
  });
});
