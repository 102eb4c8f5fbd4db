/** Record factories shared by the unit tests. */
import type { StateVector } from '../../src/transform/types.ts';

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
