import { describe, expect, it } from 'vitest';
import { AdsbApiSource, coverPoint, distanceNm, mergeStates } from '../../src/adsb/index.ts';
import { parsePoint, parseSourceChain, sourceUrls } from '../../src/cli/sources.ts';
import { ConfigError } from '../../src/errors.ts';
import { stateVector } from '../support/records.ts';

const configPath = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return `${error.path}: ${error.message}`;
    throw error;
  }
  return undefined;
};

describe('Function: parseSourceChain', () => {
  it("takes the issue's names, the dotted aliases, and chains of them", () => {
    expect(parseSourceChain(undefined)).toEqual(['opensky']);
    expect(parseSourceChain('adsblol')).toEqual(['adsblol']);
    expect(parseSourceChain('opensky, adsb.lol,airplanes.live,adsb.fi,adsbexchange,readsb')).toEqual([
      'opensky',
      'adsblol',
      'airplaneslive',
      'adsbfi',
      'adsbx',
      'readsb',
    ]);
  });

  it('refuses an unknown name and a name given twice', () => {
    expect(configPath(() => parseSourceChain('opensky,flightradar'))).toContain('--source must be one of');
    expect(configPath(() => parseSourceChain('adsbfi,adsb.fi'))).toContain('names adsbfi twice');
  });
});

describe('Function: parsePoint', () => {
  it('reads LAT,LON,RADIUS_NM', () => {
    expect(parsePoint('47.45, 8.56, 60')).toEqual({ lat: 47.45, lon: 8.56, radiusNm: 60 });
    expect(parsePoint(undefined)).toBeUndefined();
  });

  it.each(['47,8', '95,8,10', '47,190,10', '47,8,0', '47,8,x'])('refuses %s', (value) => {
    expect(configPath(() => parsePoint(value))).toContain('--point');
  });
});

describe('Function: sourceUrls', () => {
  it('gives a bare URL to the only source, or to the receiver of a chain', () => {
    expect(sourceUrls('http://pi/data/aircraft.json', ['readsb'])).toEqual({
      readsb: 'http://pi/data/aircraft.json',
    });
    expect(sourceUrls('http://mirror', ['adsblol'])).toEqual({ adsblol: 'http://mirror' });
    expect(sourceUrls('/run/readsb/aircraft.json', ['opensky', 'readsb'])).toEqual({
      readsb: '/run/readsb/aircraft.json',
    });
  });

  it('routes NAME=URL (dotted names too), keeping = inside the URL', () => {
    expect(sourceUrls(['adsb.fi=http://fi?a=b', 'opensky=http://os/api'], ['opensky', 'adsbfi'])).toEqual({
      adsbfi: 'http://fi?a=b',
      opensky: 'http://os/api',
    });
  });

  it('refuses a URL that names no source of the chain, and two URLs for one', () => {
    expect(configPath(() => sourceUrls('http://x', ['opensky', 'adsblol']))).toContain('NAME=URL');
    expect(configPath(() => sourceUrls('adsbfi=http://x', ['opensky']))).toContain('names no source');
    expect(configPath(() => sourceUrls(['http://a', 'http://b'], ['readsb']))).toContain('two URLs');
  });
});

describe('AdsbApiSource: a point area', () => {
  it('asks one query for a radius within 250 nm, and cuts the answer back to it', () => {
    const source = new AdsbApiSource({
      provider: 'adsb.fi',
      point: { lat: 47.45, lon: 8.56, radiusNm: 59.2 },
    });
    expect(source.circles).toEqual([{ lat: 47.45, lon: 8.56, radiusNm: 60 }]);
    expect(source.queryUrl(source.circles[0]!)).toBe(
      'https://opendata.adsb.fi/api/v2/lat/47.45/lon/8.56/dist/60',
    );
    const near = { ...stateVector('4b1805'), latitude: 47.9, longitude: 8.56 }; // 27 nm north
    const far = { ...stateVector('4b1806'), latitude: 48.5, longitude: 8.56 }; // 63 nm north
    const merged = mergeStates([[near, far]], { lat: 47.45, lon: 8.56, radiusNm: 59.2 });
    expect(merged.states.map((s) => s.icao24)).toEqual(['4b1805']);
    expect(merged.outside).toBe(1);
  });

  it('covers a radius beyond 250 nm with circles that reach all of it', () => {
    const point = { lat: 50, lon: 10, radiusNm: 600 };
    const circles = coverPoint(point);
    expect(circles.length).toBeGreaterThan(1);
    expect(circles.every((c) => c.radiusNm <= 250)).toBe(true);
    // Points on the edge of the area, all round: each within one circle.
    for (let deg = 0; deg < 360; deg += 15) {
      const lat = point.lat + ((point.radiusNm * 0.99) / 60) * Math.cos((deg * Math.PI) / 180);
      const lon =
        point.lon +
        ((point.radiusNm * 0.99) / (60 * Math.cos((lat * Math.PI) / 180))) * Math.sin((deg * Math.PI) / 180);
      expect(circles.some((c) => distanceNm(c.lat, c.lon, lat, lon) <= c.radiusNm)).toBe(true);
    }
  });

  it('refuses both a box and a point, and a bad point, by name', () => {
    const bbox = { lamin: 45, lomin: 5, lamax: 48, lomax: 11 };
    const point = { lat: 47, lon: 8, radiusNm: 50 };
    expect(configPath(() => new AdsbApiSource({ provider: 'adsb.lol', bbox, point }))).toContain(
      '/options/point',
    );
    expect(
      configPath(() => new AdsbApiSource({ provider: 'adsb.lol', point: { ...point, radiusNm: 0 } })),
    ).toContain('/options/point/radiusNm');
    expect(configPath(() => new AdsbApiSource({ provider: 'adsb.lol' }))).toContain('/options/bbox');
  });
});
