/** Record factories shared by the unit tests. */
import type { StateVector } from '../../src/domain/types.ts';

/** A valid named state vector; in the air unless `onGround`. */
export const stateVector = (icao24: string, onGround = false): StateVector => ({
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

/** An airborne Swiss state vector (2024-08-01T12:34:56Z); override what a test is about. */
export const airborne = (overrides: Record<string, unknown> = {}): StateVector =>
  ({
    icao24: '4b1816',
    callsign: 'SWR1951 ',
    origin_country: 'Switzerland',
    time_position: 1722515696,
    last_contact: 1722515697,
    longitude: 3.6738,
    latitude: 41.8384,
    baro_altitude: 10668,
    on_ground: false,
    velocity: 231.5,
    true_track: 66.19,
    vertical_rate: 0,
    sensors: null,
    geo_altitude: 10850.88,
    squawk: '5551',
    spi: false,
    position_source: 0,
    ...overrides,
  }) as StateVector;
