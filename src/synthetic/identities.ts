/**
 * Consistent identities for synthetic traffic: each aircraft belongs to a
 * country, and its ICAO address comes from that country's allocation block
 * (so `countryOfIcao24` gives back its `origin_country`), its callsign from
 * one of that country's airlines, and its position from a route between
 * real airports (mostly from its home country), not from anywhere on Earth.
 *
 * Airline designators and airport coordinates are public facts (ICAO Doc
 * 8585 designators, aerodrome reference points), rounded to 0.01°.
 *
 * @module
 */
import { ADDRESS_BLOCKS, blockSize } from '../domain/country.ts';

/** An airport: latitude, longitude. */
type Hub = readonly [lat: number, lon: number];

/** A country of the synthetic fleet. */
interface Home {
  /** As OpenSky (and `countryOfIcao24`) names it. */
  country: string;
  /** Relative share of the fleet, roughly that of a real worldwide snapshot. */
  weight: number;
  /** ICAO airline designators (callsign prefixes). */
  airlines: readonly string[];
  hubs: readonly Hub[];
}

const HOMES: readonly Home[] = [
  {
    country: 'United States',
    weight: 32,
    airlines: ['AAL', 'DAL', 'UAL', 'SWA', 'JBU', 'ASA', 'SKW', 'FDX', 'UPS'],
    hubs: [
      [33.64, -84.43],
      [41.98, -87.9],
      [32.9, -97.04],
      [39.86, -104.67],
      [33.94, -118.41],
      [40.64, -73.78],
      [37.62, -122.38],
      [47.45, -122.31],
      [25.79, -80.29],
      [42.36, -71.01],
    ],
  },
  {
    country: 'Germany',
    weight: 5,
    airlines: ['DLH', 'EWG', 'CFG'],
    hubs: [
      [50.03, 8.56],
      [48.35, 11.79],
      [52.36, 13.5],
    ],
  },
  {
    country: 'United Kingdom',
    weight: 5,
    airlines: ['BAW', 'EZY', 'VIR'],
    hubs: [
      [51.47, -0.45],
      [53.35, -2.27],
      [55.95, -3.37],
    ],
  },
  {
    country: 'France',
    weight: 3,
    airlines: ['AFR', 'TVF'],
    hubs: [
      [49.01, 2.55],
      [43.66, 7.22],
      [45.73, 5.08],
    ],
  },
  {
    country: 'Switzerland',
    weight: 1,
    airlines: ['SWR', 'EZS'],
    hubs: [
      [47.46, 8.55],
      [46.24, 6.11],
    ],
  },
  {
    country: 'Spain',
    weight: 3,
    airlines: ['IBE', 'VLG', 'AEA'],
    hubs: [
      [40.47, -3.56],
      [41.3, 2.08],
      [39.55, 2.74],
    ],
  },
  {
    country: 'Italy',
    weight: 2,
    airlines: ['ITY'],
    hubs: [
      [41.8, 12.25],
      [45.63, 8.72],
    ],
  },
  { country: 'Ireland', weight: 3, airlines: ['RYR', 'EIN'], hubs: [[53.42, -6.27]] },
  { country: 'Kingdom of the Netherlands', weight: 2, airlines: ['KLM', 'TRA'], hubs: [[52.31, 4.76]] },
  {
    country: 'Turkey',
    weight: 2,
    airlines: ['THY', 'PGT'],
    hubs: [
      [41.26, 28.74],
      [36.9, 30.8],
    ],
  },
  {
    country: 'Russian Federation',
    weight: 2,
    airlines: ['AFL', 'SBI'],
    hubs: [
      [55.97, 37.41],
      [59.8, 30.26],
    ],
  },
  {
    country: 'Canada',
    weight: 4,
    airlines: ['ACA', 'WJA'],
    hubs: [
      [43.68, -79.63],
      [49.19, -123.18],
      [45.47, -73.74],
    ],
  },
  {
    country: 'Mexico',
    weight: 1,
    airlines: ['AMX', 'VOI'],
    hubs: [
      [19.44, -99.07],
      [21.04, -86.87],
    ],
  },
  {
    country: 'Brazil',
    weight: 2,
    airlines: ['TAM', 'GLO', 'AZU'],
    hubs: [
      [-23.43, -46.47],
      [-22.81, -43.25],
    ],
  },
  {
    country: 'China',
    weight: 7,
    airlines: ['CCA', 'CES', 'CSN', 'CHH'],
    hubs: [
      [40.08, 116.58],
      [31.14, 121.81],
      [23.39, 113.3],
      [30.58, 103.95],
    ],
  },
  {
    country: 'Japan',
    weight: 2,
    airlines: ['ANA', 'JAL'],
    hubs: [
      [35.55, 139.78],
      [34.43, 135.24],
    ],
  },
  { country: 'Republic of Korea', weight: 1, airlines: ['KAL', 'AAR'], hubs: [[37.46, 126.44]] },
  {
    country: 'India',
    weight: 3,
    airlines: ['AIC', 'IGO'],
    hubs: [
      [28.57, 77.1],
      [19.09, 72.87],
    ],
  },
  { country: 'Singapore', weight: 1, airlines: ['SIA'], hubs: [[1.36, 103.99]] },
  {
    country: 'Australia',
    weight: 2,
    airlines: ['QFA', 'VOZ'],
    hubs: [
      [-33.95, 151.18],
      [-37.67, 144.84],
    ],
  },
  {
    country: 'United Arab Emirates',
    weight: 2,
    airlines: ['UAE', 'ETD'],
    hubs: [
      [25.25, 55.36],
      [24.43, 54.65],
    ],
  },
  { country: 'Qatar', weight: 1, airlines: ['QTR'], hubs: [[25.27, 51.61]] },
  { country: 'South Africa', weight: 1, airlines: ['SAA'], hubs: [[-26.14, 28.24]] },
];

/** Each home's first allocation block: its first address and size. */
const BLOCKS = new Map(
  HOMES.map(({ country }) => {
    const block = ADDRESS_BLOCKS.find(([, , name]) => name === country);
    if (!block) throw new Error(`no ICAO address block for ${country}`); // a typo in HOMES
    return [country, { first: block[0], size: blockSize(block[1]) }];
  }),
);
const ALL_HUBS: readonly Hub[] = HOMES.flatMap((home) => home.hubs);
const TOTAL_WEIGHT = HOMES.reduce((sum, home) => sum + home.weight, 0);

/** Share of flights that stay within their home country (when it has two airports or more). */
const DOMESTIC_SHARE = 0.6;

/** Who an aircraft is and where it flies. */
export interface Identity {
  icao24: string;
  country: string;
  /** Airline designator + flight number, padded to 8 as OpenSky sends it; '' for a few. */
  callsign: string;
  lat: number;
  lon: number;
  /** Degrees clockwise from north, towards the destination. */
  track: number;
}

const rad = (deg: number): number => (deg * Math.PI) / 180;
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;

function pickHome(random: () => number): Home {
  let left = random() * TOTAL_WEIGHT;
  for (const home of HOMES) {
    left -= home.weight;
    if (left < 0) return home;
  }
  return HOMES[0]!;
}

/** Initial bearing from a to b, degrees clockwise from north. */
function bearing(a: Hub, b: Hub): number {
  const [φ1, φ2, Δλ] = [rad(a[0]), rad(b[0]), rad(b[1] - a[1])];
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/**
 * A new identity, not in `used` (whose addresses it adds to). On the ground it
 * sits at one of its country's airports; in the air, somewhere along a route from
 * one of them (linear in latitude and longitude: cheap, and close enough for a demo).
 */
export function drawIdentity(random: () => number, onGround: boolean, used: Set<string>): Identity {
  const home = pickHome(random);
  const block = BLOCKS.get(home.country)!;
  let icao24: string;
  do {
    icao24 = (block.first + Math.floor(random() * block.size)).toString(16).padStart(6, '0');
  } while (used.has(icao24));
  used.add(icao24);
  const callsign =
    random() < 0.02
      ? ''
      : `${pick(home.airlines, random)}${Math.floor(random() * 9000) + 100}`.padEnd(8, ' ');
  const from = pick(home.hubs, random);
  const domestic = home.hubs.length > 1 && random() < DOMESTIC_SHARE;
  let to = domestic ? pick(home.hubs, random) : pick(ALL_HUBS, random);
  if (to === from) to = pick(ALL_HUBS, random);
  if (onGround || to === from) {
    // Around the airport: within a couple of kilometres of its reference point.
    return {
      icao24,
      country: home.country,
      callsign,
      lat: from[0] + (random() - 0.5) * 0.03,
      lon: from[1] + (random() - 0.5) * 0.03,
      track: random() * 360,
    };
  }
  // Antimeridian: fly the short way round.
  const dLon = ((to[1] - from[1] + 540) % 360) - 180;
  const f = 0.05 + random() * 0.9;
  return {
    icao24,
    country: home.country,
    callsign,
    lat: from[0] + (to[0] - from[0]) * f,
    lon: ((from[1] + dLon * f + 540) % 360) - 180,
    track: bearing(from, to),
  };
}

/** The countries of the synthetic fleet and their airports (for tests). */
export const SYNTHETIC_HOMES: ReadonlyArray<Pick<Home, 'country' | 'airlines' | 'hubs'>> = HOMES;
