import { describe, expect, it } from 'vitest';
import { distanceNm } from '../../src/adsb/tiling.ts';
import { countryOfIcao24 } from '../../src/domain/country.ts';
import { parseStatesResponse } from '../../src/domain/state-vector.ts';
import { SYNTHETIC_HOMES } from '../../src/synthetic/identities.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';

const homes = new Map(SYNTHETIC_HOMES.map((home) => [home.country, home]));
const allHubs = SYNTHETIC_HOMES.flatMap((home) => home.hubs);
const nearestHubNm = (lat: number, lon: number, hubs: ReadonlyArray<readonly [number, number]> = allHubs) =>
  Math.min(...hubs.map(([hubLat, hubLon]) => distanceNm(lat, lon, hubLat, hubLon)));

describe('Synthetic traffic: consistent identities', () => {
  const states = parseStatesResponse(generateSnapshot({ aircraft: 10_000, seed: 7 })).response.states;

  it("gives every aircraft an ICAO address from its country's block", () => {
    expect(states).toHaveLength(10_000);
    const mismatched = states.filter((sv) => countryOfIcao24(sv.icao24) !== sv.origin_country);
    expect(mismatched).toEqual([]);
    // Many countries, the United States the most common, as in a real worldwide snapshot.
    const byCountry = new Map<string, number>();
    for (const sv of states) byCountry.set(sv.origin_country, (byCountry.get(sv.origin_country) ?? 0) + 1);
    expect(byCountry.size).toBe(SYNTHETIC_HOMES.length);
    const largest = [...byCountry].sort((a, b) => b[1] - a[1])[0]![0];
    expect(largest).toBe('United States');
  });

  it('gives callsigns of airlines of that country (a few empty, as in real data)', () => {
    const foreign = states.filter(
      (sv) =>
        sv.callsign !== '' && !homes.get(sv.origin_country)!.airlines.includes(sv.callsign!.slice(0, 3)),
    );
    expect(foreign).toEqual([]);
    expect(states.every((sv) => sv.callsign === '' || /^[A-Z]{3}\d{3,4} *$/.test(sv.callsign!))).toBe(true);
    expect(states.filter((sv) => sv.callsign === '').length).toBeLessThan(states.length * 0.05);
  });

  it("puts aircraft on the ground at their country's airports, the others along routes between airports", () => {
    const positioned = states.filter((sv) => sv.latitude !== null && sv.longitude !== null);
    for (const sv of positioned.filter((s) => s.on_ground)) {
      expect(nearestHubNm(sv.latitude!, sv.longitude!, homes.get(sv.origin_country)!.hubs)).toBeLessThan(2);
    }
    // Uniform over the globe, about 70 % would be over the oceans far from any airport; on
    // routes between airports, most are within a long-haul leg's half of one.
    const near = positioned.filter((sv) => nearestHubNm(sv.latitude!, sv.longitude!) < 1500);
    expect(near.length / positioned.length).toBeGreaterThan(0.85);
    // Nothing over Antarctica or the Arctic Ocean's far north.
    expect(positioned.every((sv) => sv.latitude! > -45 && sv.latitude! < 72)).toBe(true);
  });
});
