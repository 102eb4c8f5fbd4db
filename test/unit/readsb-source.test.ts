import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStateVector } from '../../src/domain/state-vector.ts';
import { ConfigError, ValidationError } from '../../src/errors.ts';
import {
  aircraftToStateVector,
  categoryOfEmitter,
  parseReadsbBody,
  ReadsbSource,
} from '../../src/readsb/index.ts';
import { transformStateVector } from '../../src/transform/index.ts';
import { aircraftRow, type ReadsbTestServer, startReadsbServer } from '../support/readsb-server.ts';

const NOW = 1_700_000_000.6;

describe('Function: aircraftToStateVector', () => {
  it("converts readsb's units and fields to OpenSky's vector", () => {
    // Arrange
    const row = aircraftRow('3C6444', { baro_rate: -1024, spi: 1 });
    // Act
    const result = aircraftToStateVector(row, { now: NOW });
    // Assert
    expect(result).toEqual({
      ok: true,
      value: {
        icao24: '3c6444',
        callsign: 'TEST123 ',
        origin_country: 'Germany',
        time_position: 1_700_000_000, // now − seen_pos, whole seconds
        last_contact: 1_700_000_000, // now − seen
        longitude: 8,
        latitude: 47,
        baro_altitude: 10668, // 35,000 ft
        on_ground: false,
        velocity: 231.5, // 450 kn
        true_track: 90,
        vertical_rate: -5.2, // −1,024 ft/min
        sensors: null,
        geo_altitude: 10820.4, // 35,500 ft
        squawk: '1000',
        spi: true,
        position_source: 0,
        category: 4, // A3: large
      },
    });
  });

  it('gives a vector the domain accepts and the transform turns into a flight record', () => {
    const result = aircraftToStateVector(aircraftRow('a0b1c2'), { now: NOW });
    if (!result.ok) throw new Error(result.message);
    expect(checkStateVector(result.value).ok).toBe(true);
    expect(transformStateVector(result.value)).toMatchObject({
      icao24: 'a0b1c2',
      origin_country: 'United States',
      altitude_feet: 35000,
      velocity_knots: 450,
    });
  });

  it('reads alt_baro "ground" as on the ground, with no barometric altitude', () => {
    const result = aircraftToStateVector(aircraftRow('3c6444', { alt_baro: 'ground', gs: 12 }), { now: NOW });
    expect(result).toMatchObject({ ok: true, value: { on_ground: true, baro_altitude: null } });
  });

  it('marks multilateration positions as position_source 2', () => {
    const byType = aircraftToStateVector(aircraftRow('3c6444', { type: 'mlat' }), { now: NOW });
    const byField = aircraftToStateVector(aircraftRow('3c6444', { type: 'other', mlat: ['lat', 'lon'] }), {
      now: NOW,
    });
    expect(byType).toMatchObject({ ok: true, value: { position_source: 2 } });
    expect(byField).toMatchObject({ ok: true, value: { position_source: 2 } });
  });

  it('leaves position and its time null without lat/lon, and the optional fields null when absent', () => {
    const result = aircraftToStateVector({ hex: '4ca225', seen: 3 }, { now: NOW });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        icao24: '4ca225',
        origin_country: 'Ireland',
        callsign: null,
        time_position: null,
        last_contact: Math.round(NOW - 3),
        longitude: null,
        latitude: null,
        baro_altitude: null,
        velocity: null,
        vertical_rate: null,
        geo_altitude: null,
        squawk: null,
        category: 0,
      }),
    });
  });

  it('falls back to geom_rate when there is no baro_rate', () => {
    const result = aircraftToStateVector(aircraftRow('3c6444', { baro_rate: undefined, geom_rate: 640 }), {
      now: NOW,
    });
    expect(result).toMatchObject({ ok: true, value: { vertical_rate: 3.25 } });
  });

  it('leaves out non-ICAO (~) addresses unless asked to keep them, ~ and all, with no country', () => {
    expect(aircraftToStateVector(aircraftRow('~2a1b3c'), { now: NOW })).toMatchObject({
      ok: false,
      reason: 'non-icao',
    });
    expect(aircraftToStateVector(aircraftRow('~2A1B3C'), { now: NOW, keepNonIcao: true })).toMatchObject({
      ok: true,
      value: { icao24: '~2a1b3c', origin_country: '' },
    });
  });

  it.each([
    ['not an object', 'x', 'not-object'],
    ['a hex that is not 6 digits', aircraftRow('3c644'), 'type:hex'],
    ['a word for a speed', aircraftRow('3c6444', { gs: 'fast' }), 'type:gs'],
    ['an altitude word other than ground', aircraftRow('3c6444', { alt_baro: 'high' }), 'type:alt_baro'],
    ['a numeric squawk', aircraftRow('3c6444', { squawk: 1000 }), 'type:squawk'],
    ['an infinite latitude', aircraftRow('3c6444', { lat: Number.POSITIVE_INFINITY }), 'type:lat'],
  ])('rejects %s with a countable reason', (_, row, reason) => {
    expect(aircraftToStateVector(row, { now: NOW })).toMatchObject({ ok: false, reason });
  });

  it('never throws, even on a row whose getters throw', () => {
    const hostile = Object.defineProperty({}, 'hex', {
      get() {
        throw new Error('boom');
      },
    });
    expect(aircraftToStateVector(hostile, { now: NOW })).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});

describe('Function: categoryOfEmitter', () => {
  it.each([
    ['A0', 1],
    ['A1', 2],
    ['A7', 8],
    ['B0', 1],
    ['B1', 9],
    ['B7', 15],
    ['C0', 1],
    ['C1', 16],
    ['C5', 20],
    ['C6', 0],
    ['D1', 0],
    ['A8', 0],
    ['a1', 0],
    [undefined, 0],
    [3, 0],
  ])('%s → %s', (code, category) => {
    expect(categoryOfEmitter(code)).toBe(category);
  });
});

describe('Function: parseReadsbBody', () => {
  it("reads a receiver's aircraft.json: now in seconds, an aircraft list", () => {
    const parsed = parseReadsbBody({ now: NOW, messages: 5, aircraft: [aircraftRow('3c6444')] });
    expect(parsed.now).toBe(NOW);
    expect(parsed.states.map((sv) => sv.icao24)).toEqual(['3c6444']);
  });

  it('reads the v2 APIs: an ac list and now in milliseconds', () => {
    const parsed = parseReadsbBody({ ac: [aircraftRow('3c6444')], now: 1_700_000_000_600, total: 1 });
    expect(parsed.now).toBeCloseTo(NOW, 6);
    expect(parsed.states).toHaveLength(1);
  });

  it('takes the clock when the body has no now, and no aircraft from ac: null', () => {
    const parsed = parseReadsbBody({ ac: null }, { clock: () => 1_700_000_000_000 });
    expect(parsed).toEqual({ now: 1_700_000_000, states: [], skipped: [], nonIcao: 0 });
  });

  it('counts malformed rows and non-ICAO addresses apart, keeping the good rows', () => {
    const parsed = parseReadsbBody({
      now: NOW,
      aircraft: [aircraftRow('3c6444'), aircraftRow('~000001'), { hex: 7 }, aircraftRow('4ca225')],
    });
    expect(parsed.states.map((sv) => sv.icao24)).toEqual(['3c6444', '4ca225']);
    expect(parsed.nonIcao).toBe(1);
    expect(parsed.skipped).toEqual([{ index: 2, reason: 'type:hex', message: expect.any(String) }]);
  });

  it.each([
    ['an array', []],
    ['an object without aircraft', {}],
    ['aircraft that is not a list', { now: NOW, aircraft: {} }],
    ['a now that is not a number', { now: 'soon', aircraft: [] }],
  ])('throws a ValidationError for %s', (_, body) => {
    expect(() => parseReadsbBody(body)).toThrow(ValidationError);
  });
});

describe('Class: ReadsbSource', () => {
  let server: ReadsbTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function collect(source: ReadsbSource, count: number) {
    const snapshots = [];
    for await (const snapshot of source) {
      snapshots.push(snapshot);
      if (snapshots.length === count) break;
    }
    return snapshots;
  }

  it('polls aircraft.json over HTTP, skipping a repeated now, bad JSON and server errors without crashing', async () => {
    // Arrange: a new file, the same file again, garbage, a 500 (retried), then a newer file.
    const bodies = [
      { body: { now: 1000.1, aircraft: [aircraftRow('3c6444'), { hex: 'zz' }] } },
      { body: { now: 1000.1, aircraft: [aircraftRow('3c6444')] } },
      { body: '{"now": 10' },
      { status: 500, body: 'oops' },
      { body: { now: 1002.9, aircraft: [aircraftRow('3c6444'), aircraftRow('4ca225')] } },
    ];
    server = await startReadsbServer((n) => bodies[Math.min(n, bodies.length - 1)]!);
    const source = new ReadsbSource({
      url: `${server.url}/data/aircraft.json`,
      intervalMs: 100,
      retry: { limit: 1, baseMs: 1, maxDelayMs: 1 },
    });
    // Act
    const snapshots = await collect(source, 2);
    // Assert
    expect(snapshots.map((s) => s.time)).toEqual([1000, 1002]);
    expect(snapshots.map((s) => s.states.map((sv) => sv.icao24))).toEqual([['3c6444'], ['3c6444', '4ca225']]);
    expect(snapshots[0]!.skippedRows).toBe(1);
    expect(source.stats).toMatchObject({
      snapshots: 2,
      unchanged: 1,
      malformed: 1,
      retries: 1,
      skippedRows: 1,
    });
    expect(server.requests[0]!.path).toBe('/data/aircraft.json');
    expect(source.name).toBe('readsb');
  });

  it('reads a file path, as readsb --write-json leaves it, and stops after maxSnapshots', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'readsb-')), 'aircraft.json');
    writeFileSync(file, JSON.stringify({ now: 2000, aircraft: [aircraftRow('c001da')] }));
    const source = new ReadsbSource({ url: file, intervalMs: 100, maxSnapshots: 1 });
    const snapshots = [];
    for await (const snapshot of source) snapshots.push(snapshot);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.states[0]).toMatchObject({ icao24: 'c001da', origin_country: 'Canada' });
  });

  it('counts a missing file as a failed tick and keeps polling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readsb-'));
    const file = join(dir, 'aircraft.json');
    const source = new ReadsbSource({ url: `file://${file}`, intervalMs: 100 });
    setTimeout(() => writeFileSync(file, JSON.stringify({ now: 3000, aircraft: [] })), 250);
    const [snapshot] = await collect(source, 1);
    expect(snapshot!.time).toBe(3000);
    expect(source.stats.failures).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{}, '/options/url'],
    [{ url: 'ftp://host/aircraft.json' }, '/options/url'],
    [{ url: '/run/readsb/aircraft.json', intervalMs: 10 }, '/options/intervalMs'],
    [{ url: '/run/readsb/aircraft.json', retry: -1 }, '/options/retry/limit'],
    [
      { url: '/run/readsb/aircraft.json', retry: { baseMs: 500, maxDelayMs: 100 } },
      '/options/retry/maxDelayMs',
    ],
    [{ url: '/run/readsb/aircraft.json', name: '' }, '/options/name'],
  ])('refuses bad options, naming the option (%j)', (options, path) => {
    expect(() => new ReadsbSource(options as never)).toThrow(ConfigError);
    expect(() => new ReadsbSource(options as never)).toThrow(path);
  });
});
