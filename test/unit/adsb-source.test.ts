import { afterEach, describe, expect, it } from 'vitest';
import { AdsbApiSource, coverBoundingBox, distanceNm, mergeStates } from '../../src/adsb/index.ts';
import type { StateVector } from '../../src/domain/types.ts';
import { AuthError, ConfigError } from '../../src/errors.ts';
import type { BoundingBox } from '../../src/opensky/credits.ts';
import { aircraftRow, type ReadsbTestServer, startReadsbServer } from '../support/readsb-server.ts';

/** Points on a grid over the box (edges included). */
function gridPoints(bbox: BoundingBox, steps = 24): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= steps; i++)
    for (let j = 0; j <= steps; j++)
      points.push([
        bbox.lamin + ((bbox.lamax - bbox.lamin) * i) / steps,
        bbox.lomin + ((bbox.lomax - bbox.lomin) * j) / steps,
      ]);
  return points;
}

describe('Function: coverBoundingBox', () => {
  it.each([
    ['Switzerland', { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 }, 1],
    ['Europe', { lamin: 35, lomin: -10, lamax: 60, lomax: 30 }, 40],
    ['the Arctic', { lamin: 60, lomin: -20, lamax: 85, lomax: 40 }, 40],
    ['across the equator', { lamin: -10, lomin: 100, lamax: 10, lomax: 120 }, 40],
    ['a sliver', { lamin: 0, lomin: 0, lamax: 0.001, lomax: 0.001 }, 1],
  ])('covers %s with circles of at most 250 nm', (_, bbox, most) => {
    // Act
    const circles = coverBoundingBox(bbox);
    // Assert: every circle within the APIs' limit, every point of the box inside one circle.
    expect(circles.length).toBeGreaterThanOrEqual(1);
    expect(circles.length).toBeLessThanOrEqual(most);
    for (const circle of circles) {
      expect(circle.radiusNm).toBeLessThanOrEqual(250);
      expect(Number.isInteger(circle.radiusNm)).toBe(true);
    }
    const uncovered = gridPoints(bbox).filter(
      ([lat, lon]) => !circles.some((c) => distanceNm(lat, lon, c.lat, c.lon) <= c.radiusNm),
    );
    expect(uncovered).toEqual([]);
  });

  it('uses the smaller limit it is given', () => {
    const bbox = { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 };
    const circles = coverBoundingBox(bbox, 40);
    expect(circles.length).toBeGreaterThan(1);
    expect(Math.max(...circles.map((c) => c.radiusNm))).toBeLessThanOrEqual(40);
  });

  it('measures great-circle distances in nautical miles', () => {
    expect(distanceNm(0, 0, 1, 0)).toBeCloseTo(60, 0); // a minute of latitude is about a mile
    expect(distanceNm(47, 8, 47, 8)).toBe(0);
  });
});

const vector = (icao24: string, fields: Partial<StateVector> = {}): StateVector => ({
  icao24,
  callsign: null,
  origin_country: '',
  time_position: 100,
  last_contact: 100,
  longitude: 8,
  latitude: 47,
  baro_altitude: null,
  on_ground: false,
  velocity: null,
  true_track: null,
  vertical_rate: null,
  sensors: null,
  geo_altitude: null,
  squawk: null,
  spi: false,
  position_source: 0,
  ...fields,
});

describe('Function: mergeStates', () => {
  const bbox = { lamin: 45, lomin: 5, lamax: 48, lomax: 11 };

  it('keeps one vector per aircraft, the newest position winning, then the newest contact', () => {
    const merged = mergeStates(
      [
        [vector('aaaaaa', { time_position: 100, longitude: 8 }), vector('bbbbbb', { last_contact: 100 })],
        [vector('aaaaaa', { time_position: 103, longitude: 9 }), vector('bbbbbb', { last_contact: 104 })],
        [vector('aaaaaa', { time_position: 101, longitude: 10 })],
      ],
      bbox,
    );
    expect(merged.states.map((sv) => [sv.icao24, sv.longitude, sv.last_contact])).toEqual([
      ['aaaaaa', 9, 100],
      ['bbbbbb', 8, 104],
    ]);
    expect(merged.duplicates).toBe(3);
  });

  it('leaves out aircraft outside the box and those without a position', () => {
    const merged = mergeStates(
      [[vector('aaaaaa'), vector('bbbbbb', { latitude: 50 }), vector('cccccc', { longitude: null })]],
      bbox,
    );
    expect(merged.states.map((sv) => sv.icao24)).toEqual(['aaaaaa']);
    expect(merged.outside).toBe(2);
  });
});

describe('Class: AdsbApiSource', () => {
  let server: ReadsbTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  // Two circles: 45–47° N is one row; 0–10° E is about 424 nm wide there.
  const twoCircles = { lamin: 45, lomin: 0, lamax: 47, lomax: 10 };

  it("covers the box with adsb.fi's queries, one per second, and merges them into one snapshot", async () => {
    // Arrange: both circles see 3c6444 (the east one later), each sees one aircraft of its own,
    // and one aircraft lies outside the box.
    server = await startReadsbServer((_, req) => {
      const east = (req.url ?? '').includes('/lon/7.5/');
      return {
        body: {
          now: east ? 1_700_000_002_000 : 1_700_000_001_000,
          aircraft: east
            ? [aircraftRow('3c6444', { lon: 5.1, seen_pos: 0 }), aircraftRow('4ca225', { lon: 8 })]
            : [
                aircraftRow('3c6444', { lon: 4.9, seen_pos: 0 }),
                aircraftRow('a0b1c2', { lon: 2 }),
                aircraftRow('e47fa6', { lat: 50 }),
              ],
        },
      };
    });
    const source = new AdsbApiSource({
      provider: 'adsb.fi',
      bbox: twoCircles,
      baseUrl: server.url,
      maxSnapshots: 1,
    });
    // Act
    const snapshots = [];
    for await (const snapshot of source) snapshots.push(snapshot);
    // Assert
    expect(source.circles).toHaveLength(2);
    expect(server.requests.map((r) => r.path)).toEqual(
      source.circles.map((c) => source.queryUrl(c).slice(server!.url.length)),
    );
    expect(server.requests[0]!.path).toMatch(/^\/api\/v2\/lat\/46\/lon\/2\.5\/dist\/\d+$/);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(995);
    expect(snapshots).toHaveLength(1);
    const [snapshot] = snapshots;
    expect(snapshot!.time).toBe(1_700_000_002);
    expect(Object.fromEntries(snapshot!.states.map((sv) => [sv.icao24, sv.longitude]))).toEqual({
      '3c6444': 5.1,
      '4ca225': 8,
      a0b1c2: 2,
    });
    expect(source.stats).toMatchObject({ requests: 2, duplicates: 1, outside: 1, snapshots: 1 });
    expect(source.name).toBe('adsb.fi');
  });

  it("reads adsb.lol's v2 answer ({ac, now in ms}) from /v2/point", async () => {
    server = await startReadsbServer(() => ({
      body: { ac: [aircraftRow('3c6444')], now: 1_700_000_000_500 },
    }));
    const source = new AdsbApiSource({
      provider: 'adsb.lol',
      bbox: { lamin: 46, lomin: 7, lamax: 48, lomax: 9 },
      baseUrl: server.url,
      maxSnapshots: 1,
    });
    const snapshots = [];
    for await (const snapshot of source) snapshots.push(snapshot);
    expect(server.requests[0]!.path).toMatch(/^\/v2\/point\/47\/8\/\d+$/);
    expect(snapshots[0]!.states.map((sv) => sv.origin_country)).toEqual(['Germany']);
  });

  it('sends the ADS-B Exchange key in api-auth, and a rejected key ends the source', async () => {
    server = await startReadsbServer(() => ({ status: 403, body: { msg: 'bad key' } }));
    const source = new AdsbApiSource({
      provider: 'adsbexchange',
      apiKey: 'secret-key',
      bbox: { lamin: 46, lomin: 7, lamax: 48, lomax: 9 },
      baseUrl: server.url,
    });
    const run = async () => {
      for await (const _ of source);
    };
    await expect(run()).rejects.toThrow(AuthError);
    expect(server.requests[0]).toMatchObject({ apiAuth: 'secret-key' });
    expect(server.requests[0]!.path).toMatch(/^\/api\/aircraft\/v2\/lat\/47\/lon\/8\/dist\/\d+$/);
  });

  it('builds a partial snapshot when a query fails after its retries, and waits out a 429', async () => {
    server = await startReadsbServer((n, req) => {
      if (n === 0) return { status: 429, headers: { 'retry-after': '0' }, body: {} };
      if ((req.url ?? '').includes('/lon/7.5/')) return { status: 503, body: 'down' };
      return { body: { now: 1_700_000_000, aircraft: [aircraftRow('a0b1c2', { lon: 2 })] } };
    });
    const source = new AdsbApiSource({
      provider: 'adsb.lol',
      bbox: twoCircles,
      baseUrl: server.url,
      requestSpacingMs: 250,
      retry: 0,
      maxSnapshots: 1,
      intervalMs: 100,
    });
    const snapshots = [];
    for await (const snapshot of source) snapshots.push(snapshot);
    expect(snapshots[0]!.states.map((sv) => sv.icao24)).toEqual(['a0b1c2']);
    expect(source.stats).toMatchObject({ rateLimited: 1, partialSnapshots: 1, snapshots: 1 });
  });

  it.each([
    [{ provider: 'flightradar', bbox: twoCircles }, '/options/provider'],
    [{ provider: 'adsb.fi' }, '/options/bbox'],
    [{ provider: 'adsb.fi', bbox: { lamin: 50, lomin: 0, lamax: 40, lomax: 10 } }, '/options/bbox/lamin'],
    [{ provider: 'adsb.fi', bbox: twoCircles, requestSpacingMs: 500 }, '/options/requestSpacingMs'],
    [{ provider: 'airplanes.live', bbox: twoCircles, requestSpacingMs: 999 }, '/options/requestSpacingMs'],
    [{ provider: 'adsbexchange', bbox: twoCircles }, '/options/apiKey'],
    [{ provider: 'adsb.lol', bbox: twoCircles, baseUrl: 'file:///tmp' }, '/options/baseUrl'],
    [{ provider: 'adsb.lol', bbox: twoCircles, retry: { limit: 1.5 } }, '/options/retry/limit'],
  ])('refuses bad options, naming the option (%j)', (options, path) => {
    expect(() => new AdsbApiSource(options as never)).toThrow(ConfigError);
    expect(() => new AdsbApiSource(options as never)).toThrow(path);
  });
});
