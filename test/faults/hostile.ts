/**
 * Hostile records for scenario i: values no well-behaved producer writes,
 * produced straight into the topic among the good ones. Each must end
 * counted malformed by the function, never published or dead-lettered.
 */
import { Kafka, logLevel } from 'kafkajs';

const inAir = {
  icao24: 'f00d01',
  callsign: 'HOSTILE ',
  origin_country: 'Nowhere',
  time_position: 1722515696,
  last_contact: 1722515697,
  longitude: 8.5,
  latitude: 47.4,
  baro_altitude: 9000,
  on_ground: false,
  velocity: 230,
  true_track: 90,
  vertical_rate: 0,
  sensors: null,
  geo_altitude: 9100,
  squawk: '1000',
  spi: false,
  position_source: 0,
  snapshot_time: 1722515700,
};

/** Values no well-behaved producer writes, by label: each must end malformed, never published or dead-lettered. */
export function hostileValues(): Array<[string, Buffer | null]> {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const text = (value: string) => Buffer.from(value);
  return [
    ['time_position 1e13', json({ ...inAir, time_position: 1e13 })],
    ['time_position -1e13', json({ ...inAir, time_position: -1e13 })],
    ['baro_altitude 1e308', json({ ...inAir, baro_altitude: 1e308 })],
    ['velocity 1e308', json({ ...inAir, velocity: 1e308 })],
    ['icao24 a number', json({ ...inAir, icao24: 123456 })],
    ['on_ground a string', json({ ...inAir, on_ground: 'false' })],
    ['latitude a string', json({ ...inAir, latitude: '47.4' })],
    ['sensors not integers', json({ ...inAir, sensors: [1.5] })],
    ['a JSON array of 3', json([1, 2, 3])],
    ['a JSON string', json('hello')],
    ['JSON null', text('null')],
    ['JSON cut short', text('{"icao24":"f00d02","callsign":')],
    ['binary bytes', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80])],
    ['empty value', Buffer.alloc(0)],
    ['tombstone (no value)', null],
    ['JSON nested 100,000 deep', text(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
    ['callsign of 300 KB', json({ ...inAir, icao24: 'f00d03', callsign: 'X'.repeat(300_000) })],
    ['origin_country of 300 KB', json({ ...inAir, icao24: 'f00d04', origin_country: 'Y'.repeat(300_000) })],
    ['icao24 of 900 KB', json({ ...inAir, icao24: 'f'.repeat(900_000) })],
    ['1 MB of text', text('z'.repeat(1_000_000))],
    ['1 MB JSON array of numbers', json(Array.from({ length: 140_000 }, () => 123456))],
  ];
}

export async function produceHostile(brokers: string[], topic: string): Promise<Map<string, string>> {
  const kafka = new Kafka({ clientId: 'faults-hostile', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const at = new Map<string, string>();
  try {
    for (const [i, [label, value]] of hostileValues().entries()) {
      const [meta] = await producer.send({ topic, messages: [{ key: `hostile-${i}`, value }] });
      at.set(`${topic}-${meta!.partition}@${meta!.baseOffset}`, label);
    }
  } finally {
    await producer.disconnect();
  }
  return at;
}
