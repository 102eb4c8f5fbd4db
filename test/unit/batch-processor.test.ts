import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchItem, processFlightBatch } from '../../src/batch/index.ts';
import type { FlightRecord, StateVector } from '../../src/domain/types.ts';
import { AbortError } from '../../src/errors.ts';
import { type PublishItem, type PublishResult, SnsPublisher } from '../../src/sns/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { stateVector } from '../support/records.ts';
import { type SnsTestServer, startSnsServer } from '../support/sns-server.ts';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';

let sns: SnsTestServer | undefined;
afterEach(async () => {
  await sns?.close();
  sns = undefined;
});

/** A real SnsPublisher on the local SNS server; SNS rejects the records of icao24 `rejected`. */
async function publisher(options: { hold?: (n: number) => boolean } = {}) {
  sns = await startSnsServer({
    ...options,
    reject: (message) => (JSON.parse(message).icao24 === 'rejected' ? 'InvalidParameter' : undefined),
  });
  const client = new SNSClient({
    endpoint: sns.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return new SnsPublisher<FlightRecord>({ topicArn: TOPIC, client, retry: { baseMs: 1 } });
}

const items = (...values: unknown[]): BatchItem<number>[] => values.map((value, id) => ({ id, value }));

describe('Function: processFlightBatch', () => {
  it('ends every record as published, filtered, malformed or failed, in input order', async () => {
    // Arrange
    const batch = items(
      stateVector('aaaaaa'),
      stateVector('bbbbbb', true),
      undefined, // not JSON
      { not: 'a state vector' },
      stateVector('rejected'),
    );
    // Act
    const { results, summary } = await processFlightBatch(batch, { publisher: await publisher() });
    // Assert
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      [0, 'published'],
      [1, 'filtered'],
      [2, 'malformed'],
      [3, 'malformed'],
      [4, 'failed'],
    ]);
    expect(results[2]!.reason).toBe('not-json');
    expect(results[4]!.reason).toBe('InvalidParameter');
    expect(summary).toEqual({ records: 5, published: 1, filtered: 1, malformed: 2, failed: 1 });
    expect(sns!.requests.flat().map((m) => JSON.parse(m).icao24)).toEqual(['aaaaaa', 'rejected']);
  });

  it('counts a record whose notification exceeds SNS 256 KiB as malformed, not failed: no retry publishes it (regression: fault suite i)', async () => {
    // Arrange: valid types, but a callsign and an origin_country of 300 KB
    const batch = items(
      stateVector('aaaaaa'),
      { ...stateVector('bbbbbb'), callsign: 'X'.repeat(300_000) },
      { ...stateVector('cccccc'), origin_country: 'Y'.repeat(300_000) },
      stateVector('dddddd'),
    );
    // Act
    const { results, summary } = await processFlightBatch(batch, { publisher: await publisher() });
    // Assert
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['published', undefined],
      ['malformed', 'too-large'],
      ['malformed', 'too-large'],
      ['published', undefined],
    ]);
    expect(summary).toEqual({ records: 4, published: 2, filtered: 0, malformed: 2, failed: 0 });
  });

  it('a throwing custom transform fails only its own record, not the batch', async () => {
    const transform = (sv: StateVector) => {
      if (sv.icao24 === 'cccccc') throw new Error('cannot handle cccccc');
      return transformStateVector(sv);
    };
    const { results, summary } = await processFlightBatch(
      items(stateVector('aaaaaa'), stateVector('cccccc'), stateVector('dddddd')),
      { publisher: await publisher(), transform },
    );
    expect(results.map((r) => r.outcome)).toEqual(['published', 'failed', 'published']);
    expect(results[1]).toMatchObject({ reason: 'TransformError', message: 'cannot handle cccccc' });
    expect(summary).toMatchObject({ published: 2, failed: 1 });
  });

  it('on abort, what SNS confirmed is published and the rest failed as Aborted', async () => {
    // SNS confirms the first PublishBatch (10 entries) and never answers the others.
    const controller = new AbortController();
    const pending = processFlightBatch(
      items(...Array.from({ length: 25 }, (_, i) => stateVector(`a${String(i).padStart(5, '0')}`))),
      { publisher: await publisher({ hold: (n) => n > 1 }), signal: controller.signal },
    );
    await sns!.received(2);
    controller.abort();
    const { results, summary } = await pending;
    expect(summary).toEqual({ records: 25, published: 10, filtered: 0, malformed: 0, failed: 15 });
    expect(results.filter((r) => r.outcome === 'failed').every((r) => r.reason === 'Aborted')).toBe(true);
  });

  it('does nothing for an empty batch', async () => {
    const { results, summary } = await processFlightBatch([], { publisher: await publisher() });
    expect(results).toEqual([]);
    expect(summary).toEqual({ records: 0, published: 0, filtered: 0, malformed: 0, failed: 0 });
    expect(sns!.requests).toEqual([]);
  });
});

describe('Function: processFlightBatch with a custom publisher', () => {
  const two = () => items(stateVector('aaaaaa'), stateVector('bbbbbb'));

  it('counts a failure reported for a copy of the record as failed, never as published (regression: failures matched by identity)', async () => {
    // Arrange: a publisher of the old shape that copies the records it is given (as one that
    // serialises or enriches them would) and fails the second of two: no result by position.
    const copying = {
      async publish(published: readonly PublishItem<FlightRecord>[]) {
        const copies = published.map(({ record }) => ({ ...record }));
        return { published: 1, failed: [{ record: copies[1]!, code: 'InternalError', message: 'no' }] };
      },
    };
    // Act
    const { results, summary } = await processFlightBatch(two(), { publisher: copying as never });
    // Assert: neither record is taken as published on an answer that does not say which
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['failed', 'NoResult'],
      ['failed', 'NoResult'],
    ]);
    expect(summary).toMatchObject({ published: 0, failed: 2 });
  });

  it("takes each record's outcome from its position, whatever the publisher does to the records", async () => {
    const copying = {
      async publish(published: readonly PublishItem<FlightRecord>[]): Promise<PublishResult<FlightRecord>> {
        const copies = published.map(({ record }) => ({ ...record }));
        return {
          results: [
            { outcome: 'published', messageId: 'm-1' },
            { outcome: 'failed', code: 'InternalError', message: 'no' },
          ],
          published: 1,
          failed: [{ index: 1, record: copies[1]!, code: 'InternalError', message: 'no' }],
        };
      },
    };
    const { results, summary } = await processFlightBatch(two(), { publisher: copying });
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['published', undefined],
      ['failed', 'InternalError'],
    ]);
    expect(summary).toMatchObject({ published: 1, failed: 1 });
  });

  it('fails the records of an answer whose counts do not match, keeping the failures it reports', async () => {
    const answers: Array<PublishResult<FlightRecord>> = [
      // one result for two records
      { results: [{ outcome: 'published', messageId: 'm-1' }], published: 1, failed: [] },
      // two results, but a failure listed that no result matches
      {
        results: [
          { outcome: 'published', messageId: 'm-1' },
          { outcome: 'published', messageId: 'm-2' },
        ],
        published: 2,
        failed: [{ index: 1, record: {} as FlightRecord, code: 'InternalError', message: 'no' }],
      },
    ];
    for (const answer of answers) {
      const { summary } = await processFlightBatch(two(), { publisher: { publish: async () => answer } });
      expect(summary).toMatchObject({ published: 0, failed: 2 });
    }
    const { results } = await processFlightBatch(two(), {
      publisher: {
        publish: async () => ({
          results: [
            { outcome: 'too-large', code: 'MessageTooLarge', message: 'big' },
            { outcome: 'published', messageId: 'm-2' },
          ],
          published: 2,
          failed: [],
        }),
      },
    });
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['malformed', 'too-large'],
      ['failed', 'NoResult'],
    ]);
  });

  it('counts every record aborted when the publisher rejects because the signal aborted', async () => {
    const { results } = await processFlightBatch(two(), {
      publisher: {
        publish: async () => {
          throw new AbortError('publish aborted');
        },
      },
    });
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['failed', 'Aborted'],
      ['failed', 'Aborted'],
    ]);
  });
});
