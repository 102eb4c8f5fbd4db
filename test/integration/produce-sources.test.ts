/**
 * `produce --source readsb` through the real CLI, against a local fake receiver
 * serving aircraft.json in readsb's format, into the stack's Kafka: the records
 * are OpenSky state vectors (OpenSky's units, origin_country from the ICAO
 * address) with the header `source: readsb`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { cliEnv, uniqueName } from '../support/env.ts';
import { aircraftRow, type ReadsbTestServer, startReadsbServer } from '../support/readsb-server.ts';
import { deleteTopics, readTopic } from '../support/topic-records.ts';

describe('produce --source readsb: a local receiver → Kafka', () => {
  const topic = uniqueName('readsb-states');
  const env = cliEnv();
  const now = Math.floor(Date.now() / 1000);
  // Two updates of aircraft.json, a second apart. Each has a German airliner, an American on the
  // ground, a non-ICAO TIS-B track (left out) and a malformed row (skipped, counted).
  const files = [0, 1].map((step) => ({
    now: now + step + 0.4,
    messages: 1000 + step,
    aircraft: [
      aircraftRow('3C6444', { lon: 8 + step / 100, seen_pos: 0.4, seen: 0.4 }),
      aircraftRow('a0b1c2', { alt_baro: 'ground', gs: 12, category: 'A5', seen_pos: 2.4, seen: 1.4 }),
      aircraftRow('~2a1b3c', { type: 'tisb_other' }),
      { hex: 'not-hex' },
    ],
  }));
  let receiver: ReadsbTestServer;

  beforeAll(async () => {
    receiver = await startReadsbServer((n) => ({ body: files[Math.min(n, files.length - 1)] }));
  });

  afterAll(async () => {
    await receiver?.close();
    await deleteTopics([topic]);
  });

  it('produces each aircraft of each update as an OpenSky state vector, with the header source: readsb', async () => {
    // Act
    const produce = await runCli(
      [
        'produce',
        '--source',
        'readsb',
        '--readsb-url',
        `${receiver.url}/data/aircraft.json`,
        '--interval',
        '300ms',
        '--max-snapshots',
        '2',
        '--topic',
        topic,
      ],
      env,
      90_000,
    );
    // Assert
    expect(produce.code, produce.stderr).toBe(0);
    expect(receiver.requests[0]!.path).toBe('/data/aircraft.json');
    const records = await readTopic(topic, 4);
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(record.headers).toMatchObject({ source: 'readsb', 'content-type': 'application/json' });
      expect(record.key).toBe(record.value.icao24);
      expect(record.headers['snapshot-time']).toBe(String(record.value.snapshot_time));
    }
    expect(records.map((r) => r.value.snapshot_time).sort()).toEqual([now, now, now + 1, now + 1]);
    const german = records.find((r) => r.key === '3c6444' && r.value.snapshot_time === now + 1)!.value;
    expect(german).toEqual({
      icao24: '3c6444',
      callsign: 'TEST123 ',
      origin_country: 'Germany',
      time_position: now + 1,
      last_contact: now + 1,
      longitude: 8.01,
      latitude: 47,
      baro_altitude: 10668,
      on_ground: false,
      velocity: 231.5,
      true_track: 90,
      vertical_rate: 0,
      sensors: null,
      geo_altitude: 10820.4,
      squawk: '1000',
      spi: false,
      position_source: 0,
      category: 4,
      snapshot_time: now + 1,
    });
    const american = records.find((r) => r.key === 'a0b1c2' && r.value.snapshot_time === now)!.value;
    expect(american).toMatchObject({
      origin_country: 'United States',
      on_ground: true,
      baro_altitude: null,
      velocity: 6.17,
      category: 6,
      time_position: now - 2,
      last_contact: now - 1,
    });
    expect(records.some((r) => r.key.startsWith('~'))).toBe(false);
  });

  it('fails over: a chain readsb,adsbfi whose receiver is down produces from adsb.fi, with its header', async () => {
    // Arrange: a receiver that is not there (connection refused) and an adsb.fi stand-in.
    const gone = await startReadsbServer(() => ({ body: {} }));
    const dead = `${gone.url}/data/aircraft.json`;
    await gone.close();
    const api = await startReadsbServer(() => ({
      body: {
        now: Math.floor(Date.now() / 1000) + 0.5,
        ac: [aircraftRow('4b1805', { lat: 47.4, lon: 8.5 })],
      },
    }));
    const chainTopic = uniqueName('failover-states');
    try {
      // Act
      const produce = await runCli(
        [
          'produce',
          '--source',
          'readsb,adsbfi',
          '--source-url',
          `readsb=${dead}`,
          '--source-url',
          `adsbfi=${api.url}`,
          '--point',
          '47.45,8.56,60',
          '--interval',
          '300ms',
          '--stale-after',
          '1s',
          '--max-snapshots',
          '2',
          '--topic',
          chainTopic,
          '--log-level',
          'warn',
        ],
        env,
        90_000,
      );
      // Assert
      expect(produce.code, produce.stderr).toBe(0);
      expect(produce.stderr).toContain('"switched source"');
      expect(produce.stderr).toContain('"reason":"blocked"');
      expect(api.requests[0]!.path).toBe('/api/v2/lat/47.45/lon/8.56/dist/60');
      const records = await readTopic(chainTopic, 2);
      for (const record of records) {
        expect(record.headers.source).toBe('adsb.fi');
        expect(record.value).toMatchObject({ icao24: '4b1805', origin_country: 'Switzerland' });
      }
    } finally {
      await api.close();
      await deleteTopics([chainTopic]);
    }
  });

  it('refuses --source readsb without --readsb-url, and a network source without --bbox (exit 2)', async () => {
    const noUrl = await runCli(['produce', '--source', 'readsb', '--topic', topic], env);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--readsb-url');
    const noBox = await runCli(['produce', '--source', 'adsb.fi', '--topic', topic], env);
    expect(noBox.code).toBe(2);
    expect(noBox.stderr).toContain('--bbox');
    const noKey = await runCli(
      ['produce', '--source', 'adsbexchange', '--bbox', '45,5,48,11', '--topic', topic],
      env,
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('ADSBEXCHANGE_API_KEY');
  });
});
