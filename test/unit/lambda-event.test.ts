import { describe, expect, it } from 'vitest';
import { MAX_INVOKE_PAYLOAD_BYTES, splitBatches } from '../../src/bridge/index.ts';
import {
  buildKafkaEvent,
  type ConsumedRecord,
  decodeKafkaRecord,
  eventRecordSize,
  eventRecords,
  kafkaItemIdentifier,
  parseBatchResponse,
} from '../../src/handler/index.ts';

const record = (
  partition: number,
  offset: number,
  value: string | null = `{"n":${offset}}`,
): ConsumedRecord => ({
  topic: 'aviation-data',
  partition,
  offset: String(offset),
  timestamp: '1722515700000',
  key: Buffer.from(`k${offset}`),
  value: value === null ? null : Buffer.from(value),
  headers: { source: Buffer.from('opensky-stream') },
});

describe('Function: buildKafkaEvent', () => {
  it('builds the self-managed Kafka event shape, grouped by topic-partition, order kept', () => {
    const event = buildKafkaEvent([record(1, 7), record(0, 3), record(1, 8)], ['b1:9092', 'b2:9092']);
    expect(event).toEqual({
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'b1:9092,b2:9092',
      records: {
        'aviation-data-1': [
          {
            topic: 'aviation-data',
            partition: 1,
            offset: 7,
            timestamp: 1722515700000,
            timestampType: 'CREATE_TIME',
            key: Buffer.from('k7').toString('base64'),
            value: Buffer.from('{"n":7}').toString('base64'),
            headers: [{ source: [...Buffer.from('opensky-stream')] }],
          },
          expect.objectContaining({ offset: 8 }),
        ],
        'aviation-data-0': [expect.objectContaining({ offset: 3 })],
      },
    });
  });

  it('omits the value of a tombstone and decodes records back for handlers', () => {
    const event = buildKafkaEvent([record(0, 1, null), record(0, 2, 'not json')], ['b:9092']);
    const [tombstone, text] = eventRecords(event).map((r) => decodeKafkaRecord(r));
    expect(eventRecords(event)[0]).not.toHaveProperty('value');
    expect(tombstone).toMatchObject({
      key: 'k1',
      value: undefined,
      raw: null,
      headers: { source: 'opensky-stream' },
    });
    expect(text).toMatchObject({ value: undefined, raw: 'not json', offset: 2 });
  });

  // Kafka allows a header without a value (librdkafka and the Java client send one); kafkajs hands
  // it over as `null` (which its types leave out). It used to throw here, inside the bridge's
  // eachBatch: a crash loop.
  const none = null as unknown as Buffer;
  const withHeaders = (headers: ConsumedRecord['headers']): ConsumedRecord => ({ ...record(0, 1), headers });

  it('carries a header without a value as an empty byte list, in its place', () => {
    const [built] = eventRecords(
      buildKafkaEvent([withHeaders({ a: Buffer.from('1'), gone: none, b: 'two' })], ['b:9092']),
    );
    expect(built!.headers).toEqual([{ a: [49] }, { gone: [] }, { b: [...Buffer.from('two')] }]);
    expect(decodeKafkaRecord(built!).headers).toEqual({ a: '1', gone: '', b: 'two' });
  });

  it('keeps the values of a repeated header in the order they came, null ones included', () => {
    const [built] = eventRecords(
      buildKafkaEvent([withHeaders({ h: [Buffer.from('x'), none, Buffer.from('y')], z: 'z' })], ['b:9092']),
    );
    expect(built!.headers).toEqual([{ h: [120] }, { h: [] }, { h: [121] }, { z: [122] }]);
  });

  it('decodes an event whose header value is null or missing (not only the ones it builds)', () => {
    const [built] = eventRecords(buildKafkaEvent([record(0, 1)], ['b:9092']));
    const foreign = {
      ...built!,
      headers: [{ a: null }, { b: [98] }] as unknown as Array<Record<string, number[]>>,
    };
    expect(decodeKafkaRecord(foreign).headers).toEqual({ a: '', b: 'b' });
    expect(decodeKafkaRecord({ ...built!, headers: undefined as never }).headers).toEqual({});
  });

  it('decodes header bytes as UTF-8 whatever they hold, as Buffer.from(bytes) reads them', () => {
    const [built] = eventRecords(buildKafkaEvent([record(0, 1)], ['b:9092']));
    const values: Record<string, unknown[]> = {
      ascii: [...Buffer.from('00-abc-01')],
      utf8: [...Buffer.from('Zürich ✈')],
      high: [0x7f, 0x80, 0xff],
      // Not bytes: what Buffer.from makes of them (numbers truncated, numeric strings read, the rest 0).
      odd: ['104', 105.5, null, true, -1, 256],
      long: [...Buffer.alloc(300, 97)],
    };
    const foreign = {
      ...built!,
      headers: Object.entries(values).map(([name, bytes]) => ({ [name]: bytes })) as unknown as Array<
        Record<string, number[]>
      >,
    };
    const expected = Object.fromEntries(
      Object.entries(values).map(([name, bytes]) => [name, Buffer.from(bytes as number[]).toString('utf8')]),
    );
    expect(decodeKafkaRecord(foreign).headers).toEqual(expected);
    expect(expected.utf8).toBe('Zürich ✈');
  });

  it('takes timestampType from the record batch kafkajs decoded (LOG_APPEND_TIME topics)', () => {
    const timestampTypes = eventRecords(
      buildKafkaEvent(
        [
          { ...record(0, 1), batchContext: { timestampType: 1 } },
          { ...record(0, 2), batchContext: { timestampType: 0 } },
          record(0, 3),
        ],
        ['b:9092'],
      ),
    ).map((r) => r.timestampType);
    expect(timestampTypes).toEqual(['LOG_APPEND_TIME', 'CREATE_TIME', 'CREATE_TIME']);
  });
});

describe('Function: eventRecordSize', () => {
  it('counts every header, null values included, without under-counting the JSON', () => {
    const none = null as unknown as Buffer; // what kafkajs gives for a header without a value
    const heavy: ConsumedRecord = {
      ...record(0, 123456),
      headers: { empty: none, many: [none, Buffer.alloc(300, 255), 'x'], last: undefined },
    };
    const json = Buffer.byteLength(JSON.stringify(eventRecords(buildKafkaEvent([heavy], ['b:9092']))[0]));
    expect(eventRecordSize(heavy)).toBeGreaterThanOrEqual(json);
  });
});

describe('Function: splitBatches', () => {
  it('splits by count', () => {
    const records = Array.from({ length: 25 }, (_, i) => record(0, i));
    expect(splitBatches(records, 10, MAX_INVOKE_PAYLOAD_BYTES).map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('keeps every invocation under the payload limit, measured on the real JSON', () => {
    const big = 'x'.repeat(1024 * 1024);
    const records = Array.from({ length: 12 }, (_, i) => record(0, i, big));
    const batches = splitBatches(records, 10_000, MAX_INVOKE_PAYLOAD_BYTES);
    expect(batches.flat()).toHaveLength(12);
    for (const batch of batches) {
      expect(Buffer.byteLength(JSON.stringify(buildKafkaEvent(batch, ['b:9092'])))).toBeLessThanOrEqual(
        6 * 1024 * 1024,
      );
    }
    expect(batches.length).toBeGreaterThan(2);
  });
});

describe('Function: parseBatchResponse', () => {
  const batch = [record(0, 10), record(0, 12), record(0, 15)];
  const failure = (itemIdentifier: unknown) => ({ itemIdentifier });

  it('is a success for a null or empty response or failure list', () => {
    for (const response of [
      null,
      undefined,
      {},
      { ok: true },
      { batchItemFailures: null },
      { batchItemFailures: [] },
    ])
      expect(parseBatchResponse(response, batch)).toEqual({ kind: 'success' });
  });

  it('finds the lowest failed offset per partition (numbers or numeric strings)', () => {
    const response = {
      batchItemFailures: [
        failure({ partition: 'aviation-data-0', offset: 15 }),
        failure({ partition: 'aviation-data-0', offset: '12' }),
      ],
    };
    expect(parseBatchResponse(response, batch)).toEqual({
      kind: 'partial',
      failedFrom: { 'aviation-data-0': 12 },
    });
  });

  // AWS treats an empty, null or malformed itemIdentifier (or one naming no record of the
  // batch) as a failure of the whole batch: it must never count as success and get committed.
  it.each([
    ['a null itemIdentifier', [failure(null)]],
    ['an entry without itemIdentifier', [{ nonsense: true }]],
    ['an empty string itemIdentifier', [failure('')]],
    ['a string itemIdentifier', [failure('aviation-data-0:12')]],
    ['a bad key name', [failure({ partition: 'aviation-data-0', offst: 12 })]],
    ['an empty partition', [failure({ partition: '', offset: 12 })]],
    ['an offset that is not a number', [failure({ partition: 'aviation-data-0', offset: 'twelve' })]],
    ['a fractional offset', [failure({ partition: 'aviation-data-0', offset: 12.5 })]],
    ['a partition not in the batch', [failure({ partition: 'aviation-data-2', offset: 12 })]],
    ['an offset not in the batch', [failure({ partition: 'aviation-data-0', offset: 11 })]],
    [
      'one bad entry among good ones',
      [failure({ partition: 'aviation-data-0', offset: 12 }), failure({ partition: 'aviation-data-0' })],
    ],
  ])('is a failure of the whole batch for %s', (_, batchItemFailures) => {
    expect(parseBatchResponse({ batchItemFailures }, batch)).toMatchObject({ kind: 'invalid' });
  });

  it('reads the identifier Powertools BatchProcessor(EventType.Kafka) answers with', () => {
    // Powertools for Python `_collect_kafka_failures`: {"partition": f"{topic}-{partition}", "offset": offset}
    const powertools = {
      batchItemFailures: [{ itemIdentifier: { partition: 'aviation-data-0', offset: 15 } }],
    };
    expect(parseBatchResponse(powertools, batch)).toEqual({
      kind: 'partial',
      failedFrom: { 'aviation-data-0': 15 },
    });
  });

  it('reads the "topic-partition" key of Powertools\' first Kafka release, and says so (AWS may refuse it)', () => {
    const response = {
      batchItemFailures: [failure({ 'topic-partition': 'aviation-data-0', offset: '12' })],
    };
    expect(parseBatchResponse(response, batch)).toEqual({
      kind: 'partial',
      failedFrom: { 'aviation-data-0': 12 },
      legacyKey: true,
    });
  });

  it('is a failure of the whole batch for any other key name', () => {
    const response = { batchItemFailures: [failure({ topicPartition: 'aviation-data-0', offset: 12 })] };
    expect(parseBatchResponse(response, batch)).toMatchObject({ kind: 'invalid' });
  });

  it('is a failure of the whole batch when batchItemFailures is not a list', () => {
    expect(parseBatchResponse({ batchItemFailures: 'all' }, batch)).toMatchObject({ kind: 'invalid' });
  });
});

describe('Function: kafkaItemIdentifier', () => {
  it('names a record as the partial-batch response does, and parseBatchResponse reads it back', () => {
    const [first, second] = eventRecords(buildKafkaEvent([record(3, 41), record(3, 42)], ['b:9092']));
    expect(kafkaItemIdentifier(second!)).toEqual({ partition: 'aviation-data-3', offset: 42 });
    const response = JSON.parse(
      JSON.stringify({ batchItemFailures: [{ itemIdentifier: kafkaItemIdentifier(first!) }] }),
    );
    expect(parseBatchResponse(response, [record(3, 41), record(3, 42)])).toEqual({
      kind: 'partial',
      failedFrom: { 'aviation-data-3': 41 },
    });
  });
});
