/**
 * The fault suite on the real local stack: `npm run faults` (all scenarios),
 * `npm run faults -- c m-c` (by id) or `npm run faults -- mapping` (every row
 * of one way: `bridge` or `mapping`). `--kafka-client platformatic` (or env
 * `KAFKA_CLIENT`) runs produce and bridge on @platformatic/kafka; the mapping
 * rows' poller runs in the local stack, on the client the stack was started with
 * (its own `KAFKA_CLIENT`).
 *
 * Each scenario runs the pipeline through the CLI as users run it
 * (`opensky-stream deploy`, `produce` from a fake OpenSky API, then `bridge`
 * for rows a–i, or an event source mapping of the local stack for rows m-…),
 * breaks one thing (see test/faults/scenarios.ts), and counts the
 * notifications an SQS queue subscribed to the deployed topic received.
 * It prints one table, both ways' rows:
 *
 *   scenario | expected | delivered | lost | duplicates | dead-lettered | running | note
 *
 * and exits 1 when a row misses its goal (lost 0, duplicates at most one
 * batch per partition per fault, nothing dead-lettered, no process exited or
 * hung), with the reasons under the table.
 *
 * It lives in scripts/ rather than bench/: it checks behaviour and fails, it
 * measures no figures, and `npm run bench` (every file in bench/) should not
 * run it. test/integration/faults.test.ts runs the same scenarios as assertions.
 */
import { pathToFileURL } from 'node:url';
import { resolveKafkaClientOptions } from '../src/kafka/clients/options.ts';
import { stackConfig } from '../src/stack/lib.ts';
import { stackUp } from '../src/stack/stack.ts';
import { stackEndpoints } from '../test/faults/harness.ts';
import { type FaultEnvironment, type FaultRow, type Scenario, scenarios } from '../test/faults/scenarios.ts';
import { type OwnBroker, startOwnBroker } from '../test/support/own-broker.ts';

const columns = [
  'scenario',
  'expected',
  'delivered',
  'lost',
  'duplicates',
  'dead-lettered',
  'running',
  'note',
];

/** A Markdown table of the rows (a failed row's scenario is marked ✗). */
export function faultTable(rows: readonly FaultRow[]): string {
  const cells = rows.map((row) => [
    `${row.failures.length ? '✗' : '✓'} ${row.id}. ${row.title}`,
    String(row.expected),
    String(row.delivered),
    String(row.lost),
    `${row.duplicates} (≤ ${row.duplicateBound})`,
    String(row.deadLettered),
    row.running ? 'yes' : 'no',
    row.note,
  ]);
  const widths = columns.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join(
    '\n',
  );
}

/** A row for a scenario that could not run at all (its error is the note). */
function brokenRow({ id, title, via }: Scenario, error: unknown): FaultRow {
  const message = error instanceof Error ? error.message : String(error);
  return {
    id,
    title,
    via,
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    unknown: 0,
    deadLettered: 0,
    running: false,
    duplicateBound: 0,
    facts: {},
    note: `did not run: ${message.split('\n')[0]}`,
    failures: [`did not run: ${message}`],
  };
}

/** `--kafka-client <name>` out of the arguments, into `KAFKA_CLIENT` (which the CLI processes inherit). */
function selectKafkaClient(args: string[]): string[] {
  const at = args.indexOf('--kafka-client');
  if (at >= 0) {
    process.env.KAFKA_CLIENT = args[at + 1] ?? '';
    args = [...args.slice(0, at), ...args.slice(at + 2)];
  }
  // Throws ConfigError('KAFKA_CLIENT', …) on a name that is not a client, before anything runs.
  process.env.KAFKA_CLIENT = resolveKafkaClientOptions({}, process.env).client;
  return args;
}

async function main(args: string[]): Promise<number> {
  const wanted = selectKafkaClient(args);
  // By id (`c`, `m-c`), or every row of one way (`bridge`, `mapping`).
  const selected = wanted.length
    ? scenarios.filter((s) => wanted.includes(s.id) || wanted.includes(s.via))
    : scenarios;
  if (selected.length === 0) {
    console.error(
      `no scenario matches ${wanted.join(' ')}; scenarios: ${scenarios.map((s) => s.id).join(' ')}`,
    );
    return 2;
  }
  await stackUp(stackConfig(), (message) => process.stderr.write(`[stack] ${message}\n`));
  let broker: Promise<OwnBroker> | undefined;
  const env: FaultEnvironment = {
    stack: stackEndpoints(),
    ownBroker: () => {
      broker ??= startOwnBroker();
      return broker;
    },
  };
  const rows: FaultRow[] = [];
  try {
    for (const scenario of selected) {
      const started = performance.now();
      process.stderr.write(`[faults] ${scenario.id}. ${scenario.title}\n`);
      let row: FaultRow;
      try {
        row = await scenario.run(env);
      } catch (error) {
        row = brokenRow(scenario, error);
      }
      rows.push(row);
      process.stderr.write(
        `[faults] ${scenario.id}: ${row.failures.length ? `FAILED (${row.failures.join('; ')})` : 'ok'} ` +
          `in ${((performance.now() - started) / 1000).toFixed(0)} s; facts ${JSON.stringify(row.facts)}\n`,
      );
    }
  } finally {
    await (await broker?.catch(() => undefined))?.dispose();
  }
  console.log(`Kafka client: ${process.env.KAFKA_CLIENT}\n`);
  console.log(faultTable(rows));
  const failed = rows.filter((row) => row.failures.length);
  for (const row of failed) console.log(`\n✗ ${row.id}: ${row.failures.join('; ')}`);
  console.log(`\n${rows.length - failed.length} of ${rows.length} scenarios met their goal`);
  return failed.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`[faults] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
