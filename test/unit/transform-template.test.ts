/**
 * The `init lambda` template must not let one malformed record fail a batch:
 * its transform goes through tryTransformStateVector and never throws.
 */
import { describe, expect, it, vi } from 'vitest';
import type { FlightRecord, StateVector } from '../../src/domain/types.ts';
import { createFlightHandler } from '../../src/handler/handler.ts';
import { buildKafkaEvent, type ConsumedRecord } from '../../src/handler/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { stateVectorFromArray, stateVectorToArray } from '../../src/transform/index.ts';
import { fakePublisher } from '../support/publishers.ts';

// The template imports the published package; here it gets this checkout's source (an alias in
// vitest.config.ts, which holds whether or not dist/ is built).

// A variable path keeps tsc from type-checking the template against a package that is not built.
const templatePath = '../../lambda-template/project/handler.ts';
const { transform } = (await import(templatePath)) as { transform: (sv: StateVector) => FlightRecord | null };

const good = stateVectorFromArray([
  '4b1816',
  'SWR1951 ',
  'Switzerland',
  1649392658,
  1649392658,
  3.6738,
  41.8384,
  8534.4,
  false,
  258.66,
  66.19,
  0,
  null,
  8755.38,
  '5551',
  false,
  0,
]);

describe('Template: lambda-template/project/handler.ts transform', () => {
  it('keeps a valid airborne record', () => {
    expect(transform(good)).toMatchObject({ icao24: '4b1816', altitude_feet: 28000 });
  });

  it.each([
    ['a time_position Date cannot hold (1e13)', { ...good, time_position: 1e13 }],
    ['a time_position of -1e16', { ...good, time_position: -1e16 }],
    ['a string altitude', { ...good, baro_altitude: '8534' }],
    ['not an object at all', 42],
    ['a raw array that is too short', stateVectorToArray(good).slice(0, 5)],
  ])('drops %s instead of throwing', (_, input) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(transform(input as StateVector)).toBeNull();
      expect(String(stderr.mock.calls[0]?.[0])).toContain('record is not a valid state vector');
    } finally {
      stderr.mockRestore();
    }
  });

  it('lets the rest of a batch through when one record has a time_position of 1e13', async () => {
    // Arrange: the template's transform in the library's handler, with a publisher that records.
    const publisher = fakePublisher();
    const handler = createFlightHandler({
      transform,
      logger: silentLogger,
      metrics: false,
      publisher,
    });
    const record = (offset: number, value: unknown): ConsumedRecord => ({
      topic: 'aviation-data',
      partition: 0,
      offset: String(offset),
      timestamp: '0',
      key: null,
      value: Buffer.from(JSON.stringify(value)),
    });
    const event = buildKafkaEvent(
      [
        record(1, good),
        record(2, { ...good, time_position: 1e13 }),
        record(3, { ...good, icao24: 'cccccc' }),
      ],
      ['b:9092'],
    );
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // Act
      const result = await handler(event);
      // Assert
      expect(publisher.published.flat().map((r) => r.icao24)).toEqual(['4b1816', 'cccccc']);
      expect(result.batchItemFailures).toEqual([]);
      expect(result.summary).toMatchObject({ records: 3, published: 2 });
    } finally {
      stderr.mockRestore();
    }
  });
});
