import { describe, expect, it } from 'vitest';
import { createFlightHandler } from '../../src/lambda/handler.ts';
import { buildKafkaEvent, type ConsumedRecord } from '../../src/lambda/index.ts';
import { silentLogger } from '../../src/logger.ts';
import type { FlightRecord } from '../../src/transform/types.ts';

const sv = (icao24: string, onGround: boolean) => ({
  icao24,
  callsign: 'TEST1   ',
  origin_country: 'Spain',
  time_position: 1722515696,
  last_contact: 1722515697,
  longitude: 1,
  latitude: 2,
  baro_altitude: onGround ? null : 3048,
  on_ground: onGround,
  velocity: 100,
  true_track: 0,
  vertical_rate: 0,
  sensors: null,
  geo_altitude: null,
  squawk: null,
  spi: false,
  position_source: 0,
});

const record = (offset: number, value: unknown): ConsumedRecord => ({
  topic: 'aviation-data',
  partition: 2,
  offset: String(offset),
  timestamp: '0',
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('Function: createFlightHandler', () => {
  it('publishes in-air records, counts filtered and malformed, and reports failed publishes for retry', async () => {
    const published: FlightRecord[][] = [];
    const handler = createFlightHandler({
      logger: silentLogger,
      publisher: {
        publish: async (records: readonly FlightRecord[]) => {
          published.push([...records]);
          const failed = records
            .filter((r) => r.icao24 === 'bbbbbb')
            .map((r) => ({ record: r, code: 'InternalError', message: 'x' }));
          return { published: records.length - failed.length, failed };
        },
      },
    });
    const event = buildKafkaEvent(
      [
        record(1, sv('aaaaaa', false)),
        record(2, sv('bbbbbb', false)),
        record(3, sv('cccccc', true)),
        record(4, '{]'),
        record(5, { a: 1 }),
      ],
      ['b:9092'],
    );
    const result = await handler(event);
    expect(published[0]!.map((r) => r.icao24)).toEqual(['aaaaaa', 'bbbbbb']);
    expect(result.summary).toEqual({ records: 5, published: 1, filtered: 1, malformed: 2, failed: 1 });
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'aviation-data-2', offset: 2 } },
    ]);
  });
});
