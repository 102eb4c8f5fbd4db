/**
 * Writes docs/configuration.md from the CLI's own option definitions: each
 * command's yargs builder is run (src/cli/describe.ts) with an empty
 * environment and its flags become one Markdown table. `npm run docs:config`
 * runs it; test/unit/config-docs.test.ts fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CommandDoc, describeCommands, type FlagDoc } from '../src/cli/describe.ts';

/** Where the generated page lives. */
export const configDocsPath = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

const BIN = 'opensky-stream';

const INTRO = `# Configuration

<!-- Generated from the CLI's option definitions by \`npm run docs:config\`: do not edit by hand. -->

Every flag of every \`${BIN}\` command, generated from the same definitions \`--help\` prints, so this page
cannot drift from the code (a unit test fails when it is stale: run \`npm run docs:config\`). The library's
options (\`KafkaSinkOptions\`, \`LambdaInvokerOptions\`, \`SnsPublisherOptions\`, …) are in the API reference
(\`npm run docs\`, then \`docs/api/index.html\`).

## How a value is chosen

1. The flag on the command line, if given.
2. Otherwise the environment variable in the table, if it is set and not empty. Boolean variables are true for
   \`1\`, \`true\` or \`yes\` (any case) and false for anything else.
3. Otherwise the default in the table. \`--help\` shows each flag's variable, and the variable's value in place
   of the default when it is set.

Durations (\`--interval\`, \`--batching-window\`, \`--duration\`, …) are a number with \`ms\`, \`s\`, \`m\` or \`h\`
(\`500ms\`, \`30s\`, \`5m\`, \`1h\`); a plain number is seconds. Sizes (\`--buffer-size\`) are bytes, or a number with
\`KiB\`, \`MiB\`, \`GiB\` or \`K\`, \`M\`, \`G\` (powers of 1024), or \`kB\`, \`MB\`, \`GB\` (powers of 1000), in any case.
A malformed duration or size exits with code 2, as do an unknown flag, a word given to a number flag, a value
outside a flag's choices, a count below 1 (\`--synthetic\`, \`--max-snapshots\`, \`--sample\`) and a duration
that is not positive (\`--interval -1s\`).

Every command also takes \`--help\`; \`${BIN} --version\` prints the version.

## Variables that are not flags

Secrets come only from the environment or from files, never from flags:
`;

const VARIABLES: string[][] = [
  [
    '`OPENSKY_CLIENT_ID`, `OPENSKY_CLIENT_SECRET`',
    '`demo`, `produce`, `record`',
    'OpenSky API client credentials (both or neither), when no `--credentials-file` is given',
  ],
  [
    '`OPENSKY_TOKEN_URL`',
    '`demo`, `produce`, `record`',
    "OpenSky's OAuth2 token endpoint, to override the default",
  ],
  [
    '`ADSBEXCHANGE_API_KEY`',
    '`demo`, `produce`, `record`',
    'ADS-B Exchange API key (sent in the `api-auth` header), required with `--source adsbexchange`',
  ],
  [
    '`KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`',
    '`demo`, `produce`, `bridge`',
    'SASL credentials, required with `--sasl-mechanism`',
  ],
  [
    '`AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …',
    '`demo`, `bridge`, `deploy`, `tail`, `count`',
    "AWS credentials, through the AWS SDK's default chain. With a loopback `--endpoint-url` and neither " +
      '`AWS_ACCESS_KEY_ID` nor `AWS_PROFILE` set, the CLI signs with the test credentials `test` / `test`',
  ],
  [
    '`SNS_TOPIC_ARN` (or `SNS_TOPIC_NAME`)',
    'the deployed Lambda function',
    'the topic it publishes to; `deploy` sets `SNS_TOPIC_ARN`',
  ],
];

const AFTER_VARIABLES = `
\`demo\` with neither \`KAFKA_BROKERS\` nor \`AWS_ENDPOINT_URL\` set starts the local stack (or reuses a running one)
and uses it. The local stack's own variables (ports, cache and run directories, execution environments) are in
[the local stack guide](local-stack.md).
`;

/** A Markdown table cell: no line breaks or pipes; `<` and `>` outside code spans escaped (not HTML). */
function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replaceAll('<', '&lt;').replaceAll('>', '&gt;')))
    .join('`')
    .replaceAll('|', '\\|');
}

const code = (text: string) => `\`${text}\``;

/** A sentence: ends with a period. */
const sentence = (text: string) => (text === '' || text.endsWith('.') ? text : `${text}.`);

/** A Markdown table, columns padded to one width as the formatter (`npm run lint`) lays them out. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const width = (text: string) => [...text].length;
  const widths = header.map((title, i) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, i) => text + ' '.repeat(widths[i]! - width(text))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function flagCell(flag: FlagDoc, usage: string): string {
  if (flag.positional) {
    const required = new RegExp(`<${flag.name}(\\.\\.)?>`).test(usage);
    return code(required ? `<${flag.name}>` : `[${flag.name}]`);
  }
  const value = flag.type === undefined || flag.type === 'boolean' ? '' : ` <${flag.type}>`;
  const names = [code(`--${flag.name}${value}`)];
  for (const alias of flag.aliases) names.push(code(alias.length === 1 ? `-${alias}` : `--${alias}`));
  return names.join(', ');
}

function defaultCell(flag: FlagDoc): string {
  if (flag.default === undefined) return '—';
  if (flag.default === '') return code('""');
  return code(Array.isArray(flag.default) ? flag.default.join(' ') : String(flag.default));
}

function describeCell(flag: FlagDoc): string {
  const parts = [sentence(flag.describe.trim())];
  if (flag.choices?.length) parts.push(`One of ${flag.choices.map((c) => code(String(c))).join(', ')}.`);
  if (flag.array) parts.push('Takes several values.');
  return cell(parts.filter(Boolean).join(' '));
}

/** Flags in `--help`'s order: positionals, then each group as it first appears, then the ungrouped ones. */
function helpOrder(flags: readonly FlagDoc[]): FlagDoc[] {
  const groups: string[] = [];
  for (const flag of flags) if (flag.group && !groups.includes(flag.group)) groups.push(flag.group);
  return [
    ...flags.filter((flag) => flag.positional),
    ...groups.flatMap((group) => flags.filter((flag) => !flag.positional && flag.group === group)),
    ...flags.filter((flag) => !flag.positional && !flag.group),
  ];
}

/** The heading's anchor, as GitHub and TypeDoc make it. */
const anchor = (command: CommandDoc) =>
  `${BIN} ${command.name}`
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replaceAll(' ', '-');

function renderCommand(command: CommandDoc, level: number): string[] {
  const lines = [`${'#'.repeat(level)} ${BIN} ${command.name}`, ''];
  if (command.describe) lines.push(sentence(cell(command.describe)), '');
  const options = command.flags.some((flag) => !flag.positional) ? ' [options]' : '';
  const sub = command.subcommands.length ? ' <command>' : '';
  lines.push('```sh', `${BIN} ${command.usage}${sub}${options}`, '```', '');
  if (command.flags.length) {
    const rows = helpOrder(command.flags).map((flag) => [
      flagCell(flag, command.usage),
      flag.env ? code(flag.env) : '—',
      defaultCell(flag),
      describeCell(flag),
    ]);
    lines.push(...table(['flag', 'environment variable', 'default', 'description'], rows), '');
  }
  if (command.examples.length) {
    lines.push('Examples:', '', '```sh');
    for (const example of command.examples) {
      const line = example.command.replaceAll('$0', BIN);
      lines.push(example.description ? `${line}   # ${example.description}` : line);
    }
    lines.push('```', '');
  }
  for (const subcommand of command.subcommands) lines.push(...renderCommand(subcommand, level + 1));
  return lines;
}

/** The whole page for `commands` (default: the CLI's own). */
export function renderConfigDocs(commands: readonly CommandDoc[] = describeCommands()): string {
  const all = (list: readonly CommandDoc[]): CommandDoc[] => list.flatMap((c) => [c, ...all(c.subcommands)]);
  const index = table(
    ['command', 'what it does'],
    all(commands).map((command) => [
      `[\`${BIN} ${command.name}\`](#${anchor(command)})`,
      cell(command.describe),
    ]),
  );
  const page = [
    INTRO,
    ...table(['variable', 'used by', 'what'], VARIABLES),
    AFTER_VARIABLES,
    '## Commands',
    '',
    ...index,
    '',
    ...commands.flatMap((command) => renderCommand(command, 2)),
  ];
  return `${page.join('\n').trimEnd()}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const commands = describeCommands();
  writeFileSync(configDocsPath, renderConfigDocs(commands));
  console.log(`wrote ${configDocsPath} (${commands.length} commands)`);
}
