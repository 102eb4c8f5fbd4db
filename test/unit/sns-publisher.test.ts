import {
  type BatchResultErrorEntry,
  CreateTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  SNSClient,
} from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { FlightRecord } from '../../src/domain/types.ts';
import { AbortError, isOpenSkyStreamError, SnsPublishError } from '../../src/errors.ts';
import {
  entrySize,
  PublishFailureCodes,
  type PublishResult,
  SNS_MAX_BATCH_BYTES,
  SNS_MAX_BATCH_ENTRIES,
  SnsPublisher,
} from '../../src/sns/index.ts';
import { startSnsServer } from '../support/sns-server.ts';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';
const FIFO_TOPIC = `${TOPIC}.fifo`;

/** How the fake answers one entry: success, a per-entry failure, or (for the whole request) a thrown error. */
type Answer = 'ok' | 'omit' | Pick<BatchResultErrorEntry, 'Code' | 'SenderFault'>;

interface FakeOptions {
  /** Decide per entry and attempt (1 = first time this entry is seen). */
  answer?: (record: Record<string, unknown>, attempt: number) => Answer;
  /** Throw instead of answering, per request number (1-based). */
  throwOn?: (request: number) => unknown;
  /** Hold each request until the test releases it. */
  hold?: boolean;
  topics?: string[][];
  /** Runs before ListTopics answers: may wait or throw. */
  beforeList?: () => Promise<void>;
}

/** A fake SNSClient: records every request and answers per entry; counts what is in flight. */
function fakeSns(options: FakeOptions = {}) {
  const requests: PublishBatchRequestEntry[][] = [];
  const other: unknown[] = [];
  const seen = new Map<string, number>();
  const held: Array<() => void> = [];
  const state = { inFlight: 0, maxInFlight: 0, destroyed: 0 };
  const client = {
    async send(command: unknown, sendOptions?: { abortSignal?: AbortSignal }) {
      if (command instanceof ListTopicsCommand) {
        other.push(command.input);
        await options.beforeList?.();
        const pages = options.topics ?? [[]];
        const page = Number(command.input.NextToken ?? 0);
        return {
          Topics: (pages[page] ?? []).map((TopicArn) => ({ TopicArn })),
          NextToken: page + 1 < pages.length ? String(page + 1) : undefined,
        };
      }
      if (command instanceof CreateTopicCommand) {
        other.push(command.input);
        return { TopicArn: `arn:aws:sns:us-east-1:000000000000:${command.input.Name}` };
      }
      if (!(command instanceof PublishBatchCommand)) throw new Error('unexpected command');
      const entries = command.input.PublishBatchRequestEntries ?? [];
      requests.push(entries);
      const number = requests.length;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        if (options.hold) {
          await new Promise<void>((resolve, reject) => {
            held.push(resolve);
            sendOptions?.abortSignal?.addEventListener('abort', () =>
              reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
            );
          });
        } else {
          await new Promise((resolve) => setImmediate(resolve));
        }
        const thrown = options.throwOn?.(number);
        if (thrown) throw thrown;
        const Successful: { Id: string; MessageId: string }[] = [];
        const Failed: BatchResultErrorEntry[] = [];
        for (const entry of entries) {
          const attempt = (seen.get(entry.Id!) ?? 0) + 1;
          seen.set(entry.Id!, attempt);
          const answer = options.answer?.(JSON.parse(entry.Message!), attempt) ?? 'ok';
          if (answer === 'ok') Successful.push({ Id: entry.Id!, MessageId: `msg-${entry.Id}-${attempt}` });
          else if (answer !== 'omit')
            Failed.push({
              Id: entry.Id!,
              Code: answer.Code!,
              SenderFault: answer.SenderFault!,
              Message: 'no',
            });
        }
        return { Successful, Failed };
      } finally {
        state.inFlight--;
      }
    },
    destroy() {
      state.destroyed++;
    },
  };
  return {
    client: client as unknown as SNSClient,
    requests,
    other,
    state,
    /** Release every held request. */
    release: () => {
      for (const resolve of held.splice(0)) resolve();
    },
    /** Ids of the records in each request. */
    icaos: () => requests.map((entries) => entries.map((e) => JSON.parse(e.Message!).icao24 as string)),
  };
}

const flight = (i: number, overrides: Partial<FlightRecord> = {}): FlightRecord => ({
  icao24: `a${i.toString(16).padStart(5, '0')}`,
  callsign: `TST${i}`,
  origin_country: i % 3 === 0 ? 'Spain' : i % 3 === 1 ? 'France' : 'Germany',
  time_position: `2024-08-01T12:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
  longitude: 2.35,
  latitude: 48.85,
  altitude_feet: 30_000 + i,
  velocity_knots: 450,
  ...overrides,
});
const flights = (n: number) => Array.from({ length: n }, (_, i) => flight(i));
/** The records as publish items (no trace context, no extra attributes). */
const items = <R>(records: readonly R[]) => records.map((record) => ({ record }));
/** The summary of a result: what most tests check. */
const summary = ({ published, failed }: PublishResult<unknown>) => ({ published, failed: failed.length });

const transient = { Code: 'InternalError', SenderFault: false } as const;
const senderFault = { Code: 'InvalidParameter', SenderFault: true } as const;

describe('Class: SnsPublisher', () => {
  describe('packing', () => {
    it('packs at most 10 entries per PublishBatch request', async () => {
      // Arrange
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({
        topicArn: TOPIC,
        client: sns.client,
        concurrency: 1,
      });
      const records = flights(35);

      // Act
      const result = await publisher.publish(items(records));

      // Assert
      expect(summary(result)).toEqual({ published: 35, failed: 0 });
      expect(sns.requests.map((r) => r.length)).toEqual([10, 10, 10, 5]);
      expect(sns.icaos().flat()).toEqual(records.map((r) => r.icao24));
      expect(publisher.stats).toMatchObject({ published: 35, failed: 0, requests: 4, retries: 0 });
    });

    it('packs by bytes, counting message and attributes, never above 256 KiB per request', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord & { pad: string }>({
        topicArn: TOPIC,
        client: sns.client,
      });
      // ~60 KiB each: four fit by count, but only four fit by bytes (4 × 60 KiB + attributes < 256 KiB).
      const records = flights(9).map((r) => ({ ...r, pad: 'x'.repeat(60 * 1024) }));

      const result = await publisher.publish(items(records));

      expect(result.published).toBe(9);
      expect(sns.requests.map((r) => r.length)).toEqual([4, 4, 1]);
      for (const request of sns.requests) {
        expect(request.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(SNS_MAX_BATCH_BYTES);
      }
      const expectedBytes = sns.requests.flat().reduce((sum, e) => sum + entrySize(e), 0);
      expect(publisher.stats.bytes).toBe(expectedBytes);
    });

    it('counts attribute bytes against the limit (a batch that fits by message size alone is split)', async () => {
      const sns = fakeSns();
      const big = 'y'.repeat(40 * 1024);
      const publisher = new SnsPublisher<FlightRecord & { pad: string; note: string }>({
        topicArn: TOPIC,
        client: sns.client,
        attributes: [{ field: 'origin_country' }, { field: 'note' }],
      });
      // Message ≈ 22 KiB, attribute ≈ 40 KiB: ten messages would be 220 KiB without attributes.
      const records = flights(10).map((r) => ({ ...r, pad: 'x'.repeat(22 * 1024), note: big }));

      await publisher.publish(items(records));

      expect(sns.requests.length).toBeGreaterThan(1);
      for (const request of sns.requests) {
        expect(request.length).toBeLessThanOrEqual(SNS_MAX_BATCH_ENTRIES);
        expect(request.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(SNS_MAX_BATCH_BYTES);
      }
    });

    it('gives entries ids unique within every request and across the call', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client });

      await publisher.publish(items(flights(57)));

      const ids = sns.requests.flat().map((e) => e.Id!);
      expect(new Set(ids).size).toBe(57);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    });

    it('sends each record as its JSON, with origin_country as a String attribute', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client: sns.client });
      const record = flight(1, { callsign: null });

      await publisher.publish(items([record]));

      const [entry] = sns.requests.flat();
      expect(JSON.parse(entry!.Message!)).toEqual(record);
      expect(entry!.MessageAttributes).toEqual({
        origin_country: { DataType: 'String', StringValue: 'France' },
      });
      expect(entry!.MessageGroupId).toBeUndefined();
    });

    it('sends nothing for an empty list', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher({ topicName: 'Missing', client: sns.client });
      expect(summary(await publisher.publish(items([])))).toEqual({ published: 0, failed: 0 });
      expect(sns.requests).toEqual([]);
      expect(sns.other).toEqual([]);
    });
  });

  describe('retries', () => {
    it('retries only the entries that failed, with the same ids', async () => {
      const sns = fakeSns({
        answer: (r, attempt) => (r.icao24 === 'a00003' && attempt <= 2 ? transient : 'ok'),
      });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, retry: { baseMs: 0 } });

      const result = await publisher.publish(items(flights(5)));

      expect(summary(result)).toEqual({ published: 5, failed: 0 });
      expect(sns.icaos()).toEqual([
        ['a00000', 'a00001', 'a00002', 'a00003', 'a00004'],
        ['a00003'],
        ['a00003'],
      ]);
      expect(sns.requests[1]![0]!.Id).toBe(sns.requests[0]![3]!.Id);
      expect(publisher.stats).toMatchObject({ published: 5, failed: 0, requests: 3, retries: 2 });
    });

    it('reports sender faults at once and entries still failing after the budget, never dropping one', async () => {
      const sns = fakeSns({
        answer: (r) => (r.icao24 === 'a00001' ? transient : r.icao24 === 'a00002' ? senderFault : 'ok'),
      });
      const publisher = new SnsPublisher<FlightRecord>({
        topicArn: TOPIC,
        client: sns.client,
        retry: { limit: 3, baseMs: 0 },
      });

      const result = await publisher.publish(items(flights(4)));

      expect(result.published).toBe(2);
      expect(result.failed.map((f) => [f.record.icao24, f.code]).sort()).toEqual([
        ['a00001', 'InternalError'],
        ['a00002', 'InvalidParameter'],
      ]);
      expect(sns.icaos().filter((ids) => ids.includes('a00002'))).toHaveLength(1);
      expect(sns.icaos().filter((ids) => ids.includes('a00001'))).toHaveLength(4);
      expect(publisher.stats).toMatchObject({ published: 2, failed: 2, requests: 4, retries: 3 });
    });

    it('retries throttled entries even when marked as sender faults', async () => {
      const sns = fakeSns({
        answer: (_r, attempt) => (attempt === 1 ? { Code: 'Throttled', SenderFault: true } : 'ok'),
      });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, retry: { baseMs: 0 } });

      expect(summary(await publisher.publish(items(flights(3))))).toEqual({ published: 3, failed: 0 });
      expect(publisher.stats.throttled).toBe(3);
    });

    it('does not count an entry SNS did not report on as published', async () => {
      const sns = fakeSns({
        answer: (r, attempt) => (r.icao24 === 'a00000' && attempt === 1 ? 'omit' : 'ok'),
      });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, retry: { baseMs: 0 } });

      expect(summary(await publisher.publish(items(flights(2))))).toEqual({ published: 2, failed: 0 });
      expect(sns.icaos()).toEqual([['a00000', 'a00001'], ['a00000']]);
    });

    it.each([
      [
        'throttling',
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottledException',
          $fault: 'client',
          $metadata: { httpStatusCode: 429 },
        }),
      ],
      [
        'a 5xx',
        Object.assign(new Error('oops'), {
          name: 'InternalErrorException',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
        }),
      ],
      ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ])('retries the whole request after %s', async (_kind, error) => {
      const sns = fakeSns({ throwOn: (n) => (n === 1 ? error : undefined) });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, retry: { baseMs: 0 } });

      expect(summary(await publisher.publish(items(flights(12))))).toEqual({ published: 12, failed: 0 });
      expect(publisher.stats.retries).toBe(1);
      expect(sns.requests).toHaveLength(3);
    });

    it('reports every entry of a request failing with a client fault, without retrying', async () => {
      const notFound = Object.assign(new Error('Topic does not exist'), {
        name: 'NotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
      });
      const sns = fakeSns({ throwOn: () => notFound });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, retry: { baseMs: 0 } });
      const records = flights(3);

      const result = await publisher.publish(items(records));

      expect(result.published).toBe(0);
      expect(result.failed).toEqual(
        records.map((record, index) => ({
          index,
          record,
          code: 'NotFoundException',
          message: 'Topic does not exist',
        })),
      );
      expect(sns.requests).toHaveLength(1);
    });

    it('reports a request that keeps failing after the budget', async () => {
      const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const sns = fakeSns({ throwOn: () => down });
      const publisher = new SnsPublisher({
        topicArn: TOPIC,
        client: sns.client,
        retry: { limit: 2, baseMs: 0 },
      });

      const result = await publisher.publish(items(flights(2)));

      expect(result.published).toBe(0);
      expect(result.failed.map((f) => f.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
      expect(sns.requests).toHaveLength(3);
      expect(publisher.stats).toMatchObject({ failed: 2, requests: 3, retries: 2 });
    });
  });

  describe('concurrency', () => {
    it('keeps at most `concurrency` requests in flight, across concurrent publish calls', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, concurrency: 2 });

      const results = await Promise.all([
        publisher.publish(items(flights(95))),
        publisher.publish(items(flights(41))),
      ]);

      expect(results.map((r) => r.published)).toEqual([95, 41]);
      expect(sns.requests).toHaveLength(15);
      expect(sns.state.maxInFlight).toBe(2);
    });
  });

  describe('FIFO topics', () => {
    it('sets MessageGroupId = icao24 and MessageDeduplicationId = icao24-time_position', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: FIFO_TOPIC, client: sns.client });

      await publisher.publish(
        items([flight(1, { icao24: 'abc123', time_position: '2024-08-01T12:34:56Z' })]),
      );

      expect(sns.requests[0]![0]).toMatchObject({
        MessageGroupId: 'abc123',
        MessageDeduplicationId: 'abc123-2024-08-01T12:34:56Z',
      });
    });

    it('falls back to a hash of the message without time_position, and hashes ids SNS would reject', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({
        topicArn: FIFO_TOPIC,
        client: sns.client,
        groupId: (r) => `country ${r.origin_country}`,
        deduplicationId: (r, message) => (r.callsign === 'LONG' ? 'z'.repeat(200) : `${message.length}`),
      });

      await publisher.publish(items([flight(1, { time_position: null }), flight(2, { callsign: 'LONG' })]));

      const [first, second] = sns.requests.flat();
      const valid = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
      for (const entry of [first!, second!]) {
        expect(entry.MessageGroupId).toMatch(valid);
        expect(entry.MessageDeduplicationId).toMatch(valid);
      }
      expect(first!.MessageGroupId).toMatch(/^[0-9a-f]{64}$/); // 'country France' has a space
      expect(first!.MessageDeduplicationId).toBe(String(first!.Message!.length));
      expect(second!.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);

      const defaults = fakeSns();
      await new SnsPublisher<FlightRecord>({ topicArn: FIFO_TOPIC, client: defaults.client }).publish([
        { record: flight(3, { time_position: null }) },
      ]);
      expect(defaults.requests[0]![0]!.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    });

    it('keeps each message group in order while lanes run in parallel', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<{ icao24: string; seq: number }>({
        topicArn: FIFO_TOPIC,
        client: sns.client,
        concurrency: 3,
        deduplicationId: (r) => `${r.icao24}-${r.seq}`,
      });
      const records = Array.from({ length: 120 }, (_, seq) => ({ icao24: `g${seq % 7}`, seq }));

      expect((await publisher.publish(items(records))).published).toBe(120);

      const sent = sns.requests.flat().map((e) => JSON.parse(e.Message!) as { icao24: string; seq: number });
      for (let g = 0; g < 7; g++) {
        const seqs = sent.filter((r) => r.icao24 === `g${g}`).map((r) => r.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(seqs).toHaveLength(records.filter((r) => r.icao24 === `g${g}`).length);
      }
      expect(sns.state.maxInFlight).toBeLessThanOrEqual(3);
    });
  });

  describe('attributes', () => {
    it('maps fields to String and Number attributes and leaves out null and empty values', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({
        topicArn: TOPIC,
        client: sns.client,
        attributes: [
          { field: 'origin_country' },
          { field: 'altitude_feet', type: 'Number' },
          { field: 'callsign' },
          { name: 'altitude_band', type: 'Number', value: (r) => Math.floor(r.altitude_feet / 10_000) },
        ],
        staticAttributes: { source: 'opensky-stream' },
      });

      await publisher.publish(items([flight(0, { callsign: null, altitude_feet: 35_000 })]));

      expect(sns.requests[0]![0]!.MessageAttributes).toEqual({
        origin_country: { DataType: 'String', StringValue: 'Spain' },
        altitude_feet: { DataType: 'Number', StringValue: '35000' },
        altitude_band: { DataType: 'Number', StringValue: '3' },
        source: { DataType: 'String', StringValue: 'opensky-stream' },
      });
    });

    it('carries per-item attributes such as a W3C traceparent', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client: sns.client });
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

      await publisher.publish(flights(2).map((record) => ({ record, attributes: { traceparent } })));
      await publisher.publish(
        flights(2).map((record, i) =>
          i === 0 ? { record, attributes: { traceparent, hops: ['kafka', 'lambda'] } } : { record },
        ),
      );

      const attributes = sns.requests.flat().map((e) => e.MessageAttributes ?? {});
      expect(attributes[0]!.traceparent).toEqual({ DataType: 'String', StringValue: traceparent });
      expect(attributes[1]!.traceparent?.StringValue).toBe(traceparent);
      expect(attributes[2]!.hops).toEqual({ DataType: 'String.Array', StringValue: '["kafka","lambda"]' });
      expect(attributes[3]!.traceparent).toBeUndefined();
      expect(attributes[3]!.origin_country).toBeDefined();
    });

    it('fails (without sending) items with more than 10 attributes or an invalid attribute name', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client: sns.client });
      const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`extra${i}`, `v${i}`]));
      const attributes = [many, { 'bad..name': 'x' }, { fine: 'x' }];

      const result = await publisher.publish(
        flights(3).map((record, i) => ({ record, attributes: attributes[i] })),
      );

      expect(result.published).toBe(1);
      expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'published']);
      expect(result.failed.map((f) => [f.index, f.code])).toEqual([
        [0, PublishFailureCodes.TOO_MANY_ATTRIBUTES],
        [1, PublishFailureCodes.INVALID_ATTRIBUTE],
      ]);
      expect(sns.icaos()).toEqual([['a00002']]);
      expect(sns.requests[0]![0]!.MessageAttributes).toHaveProperty('fine');
    });
    it('adds the traceparent as an attribute only where the message has room for it', async () => {
      // Arrange: record 0 has 1 attribute (origin_country), record 1 already 10, record 2 9.
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client: sns.client });
      const extras = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`extra${i}`, 'v']));
      const parents = ['a', 'b', 'c'].map((c) => `00-${c.repeat(32)}-${'1'.repeat(16)}-01`);

      // Act
      const extra = [undefined, extras(9), extras(8)];
      const result = await publisher.publish(
        flights(3).map((record, i) => ({ record, attributes: extra[i], traceparent: parents[i] })),
      );

      // Assert: nothing failed; the trace context yields to the data's attributes at 10.
      expect(summary(result)).toEqual({ published: 3, failed: 0 });
      const attributes = sns.requests.flat().map((e) => e.MessageAttributes ?? {});
      expect(attributes[0]!.traceparent).toEqual({ DataType: 'String', StringValue: parents[0] });
      expect(Object.keys(attributes[1]!)).toHaveLength(10);
      expect(attributes[1]!.traceparent).toBeUndefined();
      expect(attributes[2]!.traceparent?.StringValue).toBe(parents[2]);
      expect(Object.keys(attributes[2]!)).toHaveLength(10);
    });

    it("lets a traceparent given as an attribute win over the item's traceparent", async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client: sns.client });
      const given = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;

      await publisher.publish([
        {
          record: flight(0),
          attributes: { traceparent: given },
          traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`,
        },
      ]);

      expect(sns.requests[0]![0]!.MessageAttributes?.traceparent?.StringValue).toBe(given);
    });
  });

  describe('records SNS would reject', () => {
    it('fails records that cannot be serialised or are larger than 256 KiB, and publishes the rest', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher<Record<string, unknown>>({ topicArn: TOPIC, client: sns.client });
      const records = [
        { icao24: 'ok0001', origin_country: 'Spain' },
        { icao24: 'big001', pad: 'x'.repeat(SNS_MAX_BATCH_BYTES) },
        { icao24: 'bigint', n: 1n },
        { icao24: 'ok0002', origin_country: 'Spain' },
      ];

      const result = await publisher.publish(items(records));

      expect(result.published).toBe(2);
      expect(result.results.map((r) => r.outcome)).toEqual(['published', 'too-large', 'failed', 'published']);
      expect(result.failed.map((f) => [f.index, f.record.icao24, f.code])).toEqual([
        [1, 'big001', PublishFailureCodes.MESSAGE_TOO_LARGE],
        [2, 'bigint', PublishFailureCodes.SERIALIZATION],
      ]);
      expect(sns.icaos()).toEqual([['ok0001', 'ok0002']]);
      expect(publisher.stats.failed).toBe(2);
    });
  });

  describe('request timeout', () => {
    it('abandons a request SNS does not answer within requestTimeoutMs and retries it (regression: a stalled connection held the publish)', async () => {
      // Arrange: a real local SNS endpoint that never answers the first PublishBatch.
      const server = await startSnsServer({ hold: (n) => n === 1 });
      const client = new SNSClient({
        endpoint: server.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const publisher = new SnsPublisher<FlightRecord>({
        topicArn: TOPIC,
        client,
        transport: 'query',
        requestTimeoutMs: 200,
        retry: { baseMs: 0 },
      });
      try {
        // Act
        const result = await publisher.publish(items(flights(3)));
        // Assert
        expect(summary(result)).toEqual({ published: 3, failed: 0 });
        expect(server.requests).toHaveLength(2);
        expect(publisher.stats.retries).toBe(1);
      } finally {
        await publisher.close();
        await server.close();
      }
    });

    it('fails the entries with RequestTimeout when no attempt is answered in time', async () => {
      const sns = fakeSns({ hold: true });
      const publisher = new SnsPublisher({
        topicArn: TOPIC,
        client: sns.client,
        requestTimeoutMs: 50,
        retry: { limit: 1, baseMs: 0 },
      });
      const result = await publisher.publish(items(flights(2)));
      expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'failed']);
      expect(result.failed.map((f) => f.code)).toEqual(['RequestTimeout', 'RequestTimeout']);
      expect(sns.requests).toHaveLength(2);
    });
  });

  describe('abort', () => {
    it('resolves on abort with every item accounted for: confirmed ones published, the rest aborted', async () => {
      const sns = fakeSns({ hold: true });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client, concurrency: 1 });
      const controller = new AbortController();

      const publishing = publisher.publish(items(flights(25)), { signal: controller.signal });
      await new Promise((resolve) => setImmediate(resolve));
      sns.release(); // the first batch completes
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error('shutting down'));

      const result = await publishing;
      expect(result.published + result.failed.length).toBe(25);
      expect(result.published).toBe(10);
      expect(result.results.map((r) => r.outcome)).toEqual([
        ...Array(10).fill('published'),
        ...Array(15).fill('aborted'),
      ]);
      expect(new Set(result.failed.map((f) => f.code))).toEqual(new Set([PublishFailureCodes.ABORTED]));
    });

    it('sends nothing when the signal is already aborted: every item aborted', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client });
      const result = await publisher.publish(items(flights(3)), { signal: AbortSignal.abort() });
      expect(result.results.map((r) => r.outcome)).toEqual(['aborted', 'aborted', 'aborted']);
      expect(summary(result)).toEqual({ published: 0, failed: 3 });
      expect(sns.requests).toEqual([]);
    });
  });

  describe('topic', () => {
    it('finds the topic by name through every ListTopics page', async () => {
      const wanted = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';
      const sns = fakeSns({
        topics: [
          ['arn:aws:sns:us-east-1:000000000000:Other'],
          ['arn:aws:sns:us-east-1:000000000000:X', wanted],
        ],
      });
      const publisher = new SnsPublisher({ client: sns.client });

      expect(await publisher.resolveTopic()).toBe(wanted);
      expect(summary(await publisher.publish(items(flights(1))))).toEqual({ published: 1, failed: 0 });
      expect(sns.other).toHaveLength(2);
    });

    it('creates the topic on request, as FIFO for .fifo names', async () => {
      const sns = fakeSns();
      const publisher = new SnsPublisher({
        topicName: 'Flights.fifo',
        createIfMissing: true,
        client: sns.client,
      });

      expect(await publisher.resolveTopic()).toBe('arn:aws:sns:us-east-1:000000000000:Flights.fifo');
      expect(sns.other).toEqual([{ Name: 'Flights.fifo', Attributes: { FifoTopic: 'true' } }]);
    });

    it('fails clearly when the topic does not exist, and looks again next time', async () => {
      const sns = fakeSns({ topics: [[]] });
      const publisher = new SnsPublisher({ topicName: 'Nowhere', client: sns.client });

      const error = await publisher.publish(items(flights(1))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnsPublishError);
      expect(isOpenSkyStreamError(error) && error.code).toBe('OSS_SNS');
      expect(String(error)).toMatch(/Nowhere.*does not exist/);
      await publisher.resolveTopic().catch(() => undefined);
      expect(sns.other).toHaveLength(2);
    });

    it('wraps a failing lookup in a retryable SnsPublishError', async () => {
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      const sns = fakeSns({ beforeList: () => Promise.reject(reset) });
      const publisher = new SnsPublisher({ client: sns.client });

      const error = await publisher.resolveTopic().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SnsPublishError);
      expect(error).toMatchObject({ retryable: true, cause: reset, details: { code: 'ECONNRESET' } });
    });

    it("stops a caller's wait for the topic on abort, without failing other callers", async () => {
      let answer: () => void = () => {};
      const sns = fakeSns({
        topics: [[TOPIC]],
        beforeList: () =>
          new Promise<void>((resolve) => {
            answer = resolve;
          }),
      });
      const publisher = new SnsPublisher({ client: sns.client });
      const controller = new AbortController();

      const aborted = publisher.publish(items(flights(1)), { signal: controller.signal });
      const patient = publisher.publish(items(flights(2)));
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      answer();

      expect((await aborted).results).toEqual([
        { outcome: 'aborted', code: 'Aborted', message: 'stopped before the record was sent' },
      ]);
      expect(summary(await patient)).toEqual({ published: 2, failed: 0 });
      expect(sns.other).toHaveLength(1);
    });
  });

  describe('publishOne', () => {
    it('resolves with the message id, and throws SnsPublishError with the code on failure', async () => {
      const sns = fakeSns({ answer: (r) => (r.icao24 === 'a00001' ? senderFault : 'ok') });
      const publisher = new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client: sns.client });

      expect(await publisher.publishOne(flight(0))).toMatch(/^msg-/);
      const error = await publisher.publishOne(flight(1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnsPublishError);
      expect((error as SnsPublishError).details.code).toBe('InvalidParameter');
      await expect(publisher.publishOne(flight(0), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
        AbortError,
      );
    });
  });

  describe('close', () => {
    it('waits for running publishes, is idempotent, leaves an injected client alone, and refuses new work', async () => {
      const sns = fakeSns({ hold: true });
      const publisher = new SnsPublisher({ topicArn: TOPIC, client: sns.client });
      const stats = publisher.stats;

      const publishing = publisher.publish(items(flights(3)));
      await new Promise((resolve) => setImmediate(resolve));
      const closing = publisher.close();
      expect(publisher.close()).toBe(closing);
      sns.release();
      await closing;

      expect(summary(await publishing)).toEqual({ published: 3, failed: 0 });
      expect(publisher.stats).toBe(stats);
      expect(sns.state.destroyed).toBe(0);
      await expect(publisher.publish(items(flights(1)))).rejects.toThrow(/closed/);
      await publisher[Symbol.asyncDispose]();
    });
  });
});
