/**
 * `invoke` and `logs`, their pure parts: the sample event, the verdict that
 * becomes the exit code, and the times of a local function log's lines.
 */
import { describe, expect, it } from 'vitest';
import { logsEndpoint, timeLines } from '../../src/deploy/function-logs.ts';
import { invokeVerdict } from '../../src/deploy/invoke.ts';
import { sampleKafkaEvent } from '../../src/deploy/sample-event.ts';
import { decodeKafkaRecord, eventRecords } from '../../src/handler/event.ts';

describe('Function: sampleKafkaEvent', () => {
  it('builds a self-managed Kafka event of N state vectors, as produce writes them and the bridge delivers them', async () => {
    const event = await sampleKafkaEvent({
      records: 7,
      topic: 'flights',
      bootstrapServers: ['b1:9092', 'b2:9092'],
    });
    expect(event.eventSource).toBe('SelfManagedKafka');
    expect(event.bootstrapServers).toBe('b1:9092,b2:9092');
    const records = eventRecords(event);
    expect(records).toHaveLength(7);
    for (const [id, group] of Object.entries(event.records)) {
      // Offsets count from 0 in each partition, in order.
      expect(group.map((record) => record.offset)).toEqual(group.map((_, i) => i));
      expect(id).toBe(`flights-${group[0]!.partition}`);
    }
    const decoded = records.map((record) =>
      decodeKafkaRecord<{ icao24: string; snapshot_time: number }>(record),
    );
    for (const record of decoded) {
      expect(record.key).toBe(record.value!.icao24);
      expect(record.value!.snapshot_time).toBeGreaterThan(0);
      expect(record.headers).toMatchObject({ source: 'opensky-stream', 'content-type': 'application/json' });
    }
  });

  it("places a key on the partition Kafka's default partitioner would", async () => {
    const a = await sampleKafkaEvent({ records: 50, seed: 3, partitions: 3 });
    const b = await sampleKafkaEvent({ records: 50, seed: 3, partitions: 3 });
    const where = (event: typeof a) =>
      Object.fromEntries(eventRecords(event).map((record) => [record.key, record.partition]));
    expect(where(a)).toEqual(where(b));
    expect(new Set(Object.values(where(a))).size).toBe(3);
  });
});

describe('Function: invokeVerdict', () => {
  it.each([
    [{ functionError: 'Unhandled', payload: { errorMessage: 'x' } }, 'function-error'],
    [{ functionError: undefined, payload: { batchItemFailures: [{ itemIdentifier: {} }] } }, 'partial'],
    [{ functionError: undefined, payload: { batchItemFailures: [] } }, 'ok'],
    [{ functionError: undefined, payload: null }, 'ok'],
    [{ functionError: undefined, payload: 'text' }, 'ok'],
  ] as const)('%j → %s', (outcome, verdict) => {
    expect(invokeVerdict(outcome)).toBe(verdict);
  });
});

describe('Function: timeLines', () => {
  const log = [
    'START RequestId: a Version: $LATEST',
    '2026-12-04T10:00:00.000Z\ta\tINFO\tfirst',
    'END RequestId: a',
    'REPORT RequestId: a\tDuration: 1 ms',
    'START RequestId: b Version: $LATEST',
    '{"level":"info","time":"2026-12-04T11:00:00.000Z","msg":"second"}',
    'END RequestId: b',
    'REPORT RequestId: b\tDuration: 1 ms',
    'START RequestId: c Version: $LATEST',
    'END RequestId: c',
    'REPORT RequestId: c\tDuration: 1 ms',
    '',
  ].join('\n');
  const end = Date.parse('2026-12-04T12:00:00.000Z');

  it('gives every line of an invocation the time of its first dated line', () => {
    const timed = timeLines(log, end);
    expect(timed.slice(0, 4).map((line) => line.time)).toEqual(
      Array(4).fill(Date.parse('2026-12-04T10:00:00.000Z')),
    );
    expect(timed.slice(4, 8).map((line) => line.time)).toEqual(
      Array(4).fill(Date.parse('2026-12-04T11:00:00.000Z')),
    );
  });

  it("dates undated lines at the end with the file's last write", () => {
    expect(
      timeLines(log, end)
        .slice(8)
        .map((line) => line.time),
    ).toEqual([end, end, end]);
  });

  it("reads the runtime client's [LEVEL] [epoch ms] lines", () => {
    expect(timeLines('[ERROR] [1796421765084] LAMBDA_RUNTIME failed\n', end)[0]!.time).toBe(1796421765084);
  });
});

describe('Function: logsEndpoint', () => {
  it('is logs.<region>.amazonaws.com, .com.cn in China', () => {
    expect(logsEndpoint('eu-west-1').href).toBe('https://logs.eu-west-1.amazonaws.com/');
    expect(logsEndpoint('cn-north-1').href).toBe('https://logs.cn-north-1.amazonaws.com.cn/');
  });
});
