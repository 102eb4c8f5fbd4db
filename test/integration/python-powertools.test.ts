/**
 * A Python function written with Powertools for AWS Lambda (Python), as one deploys it on AWS
 * (the library in the zip): `BatchProcessor(event_type=EventType.Kafka)` answers AWS's
 * partial-batch response, `{"itemIdentifier": {"partition": "<topic>-<partition>", "offset": N}}`,
 * and both the bridge (LambdaInvoker) and an event source mapping honour it: the failed
 * records' partitions are retried from the lowest failed offset, every other record arrives once.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvoker } from '../../src/bridge/invoker.ts';
import { createKafkaClient } from '../../src/kafka/client.ts';
import { kafkaBrokers, uniqueName } from '../support/env.ts';
import { lambdaClient } from '../support/lambda-fixtures.ts';
import { deployPythonFunction, powertoolsPackage } from '../support/python-functions.ts';
import { type PythonTools, pythonTools } from '../support/python-tools.ts';

// Powertools' BatchProcessor for Kafka: records at FAIL_OFFSETS fail the first time they arrive
// (MARKER_DIR remembers; the function runs on this machine), and each invocation appends what it
// got and what it answered to LOG_FILE.
const powertoolsHandler = `
import json, os
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

processor = BatchProcessor(event_type=EventType.Kafka)
FAIL = {int(o) for o in os.environ.get("FAIL_OFFSETS", "").split(",") if o}

def record_handler(record):
    json.loads(record.decoded_value)
    marker = os.path.join(os.environ["MARKER_DIR"], "%s-%d-%d" % (record.topic, record.partition, record.offset))
    if record.offset in FAIL and not os.path.exists(marker):
        open(marker, "w").close()
        raise ValueError("offset %d fails once" % record.offset)

def lambda_handler(event, context):
    batch = [[r["partition"], r["offset"]] for records in event["records"].values() for r in records]
    response = process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    with open(os.environ["LOG_FILE"], "a") as log:
        log.write(json.dumps({"records": batch, "failed": response["batchItemFailures"]}) + "\\n")
    return response
`;

const lambda = lambdaClient();
const kafka = createKafkaClient({ clientId: 'python-powertools-test', brokers: kafkaBrokers() });

describe("Powertools for AWS Lambda (Python) BatchProcessor on the stack's python3.12", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const dir = mkdtempSync(join(tmpdir(), 'python-powertools-'));
  let tools: PythonTools;

  beforeAll(async () => {
    tools = await pythonTools();
  });
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  /** One invocation of the Powertools function: what it got (partition, offset) and what it answered. */
  interface Invocation {
    records: Array<[number, number]>;
    failed: Array<{ itemIdentifier: { partition: string; offset: number } }>;
  }

  const FAIL_AT = [3, 7];

  /** A 3-partition topic of 12 JSON records per partition, and the Powertools function, deployed. */
  async function powertoolsSetup() {
    const topic = uniqueName('py-powertools');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    cleanups.push(async () => {
      const cleanup = kafka.admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await cleanup.disconnect();
    });
    const producer = kafka.producer();
    await producer.connect();
    for (const partition of [0, 1, 2]) {
      await producer.send({
        topic,
        messages: Array.from({ length: 12 }, (_, i) => ({
          partition,
          key: `p${partition}-${i}`,
          value: JSON.stringify({ partition, i }),
        })),
      });
    }
    await producer.disconnect();
    const logFile = join(dir, `${topic}.ndjson`);
    const markers = join(dir, `${topic}-markers`);
    mkdirSync(markers);
    const files = { ...(await powertoolsPackage(tools)), 'event_processor.py': powertoolsHandler };
    const fn = await deployPythonFunction('python3.12', files, {
      LOG_FILE: logFile,
      MARKER_DIR: markers,
      FAIL_OFFSETS: FAIL_AT.join(','),
    });
    cleanups.push(() => fn.dispose());
    const name = fn.name;
    const invocations = (): Invocation[] =>
      existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Invocation)
        : [];
    return { topic, name, invocations };
  }

  /**
   * AWS's partial-batch contract, from what the function saw: each failed record was named by
   * Powertools' `{ partition: "<topic>-<partition>", offset }`, its partition was retried from
   * the lowest failed offset (what preceded it in the batch arrived once), the failed records
   * arrived twice, and every record outside a retried range exactly once.
   */
  function expectPartialBatchHonoured(topic: string, invocations: Invocation[]): void {
    const counts = new Map<string, number>();
    for (const { records } of invocations)
      for (const [p, o] of records) counts.set(`${p}-${o}`, (counts.get(`${p}-${o}`) ?? 0) + 1);
    expect(counts.size).toBe(36);
    const retried = new Set<string>();
    let failures = 0;
    for (const invocation of invocations) {
      const lowest = new Map<number, number>();
      for (const { itemIdentifier } of invocation.failed) {
        failures++;
        expect(itemIdentifier.partition.startsWith(`${topic}-`)).toBe(true);
        expect(FAIL_AT).toContain(itemIdentifier.offset);
        const partition = Number(itemIdentifier.partition.slice(topic.length + 1));
        lowest.set(
          partition,
          Math.min(lowest.get(partition) ?? Number.POSITIVE_INFINITY, itemIdentifier.offset),
        );
      }
      for (const [partition, offset] of lowest) {
        const batch = invocation.records.filter(([p]) => p === partition).map(([, o]) => o);
        for (const before of batch.filter((o) => o < offset))
          expect(counts.get(`${partition}-${before}`)).toBe(1);
        for (const from of batch.filter((o) => o >= offset)) retried.add(`${partition}-${from}`);
        const retry = invocations.find(
          (other) => other !== invocation && other.records.find(([p]) => p === partition)?.[1] === offset,
        );
        expect(retry, `a retry of partition ${partition} from offset ${offset}`).toBeDefined();
      }
    }
    for (const partition of [0, 1, 2])
      for (const offset of FAIL_AT) expect(counts.get(`${partition}-${offset}`)).toBe(2);
    for (const [id, count] of counts) if (!retried.has(id)) expect(count, id).toBe(1);
    expect(failures).toBeGreaterThanOrEqual(3);
  }

  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it("Powertools' BatchProcessor behind the bridge: its partial-batch response is honoured", async () => {
    const { topic, name, invocations } = await powertoolsSetup();
    const bridge = new LambdaInvoker({
      functionName: name,
      topic,
      groupId: uniqueName('py-bridge'),
      brokers: kafkaBrokers(),
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
      batchingWindowMs: 100,
      retry: { baseMs: 50 },
      lambda: lambdaClient(),
    });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    await waitFor('the bridge committed every partition to its end', async () => {
      const lag = Object.values(await bridge.lag());
      return lag.length === 3 && lag.every((behind) => behind === 0);
    });
    await bridge.stop();
    expect(bridge.stats).toMatchObject({ recordsIn: 36, errors: 0, deadLettered: 0 });
    expect(bridge.stats.partialFailures).toBeGreaterThanOrEqual(3);
    expectPartialBatchHonoured(topic, invocations());
  });

  it("Powertools' BatchProcessor behind an event source mapping: its partial-batch response is honoured", async () => {
    const { topic, name, invocations } = await powertoolsSetup();
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: name,
        Topics: [topic],
        SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers() } },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    cleanups.push(() => lambda.send(new DeleteEventSourceMappingCommand({ UUID })));
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The mapping's consumer group (its UUID) committed every partition to its end.
      await waitFor('the mapping committed every partition to its end', async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: UUID!, topics: [topic] });
        return ends.every(
          (end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.offset,
        );
      });
    } finally {
      await admin.disconnect();
    }
    expectPartialBatchHonoured(topic, invocations());
  });
});
