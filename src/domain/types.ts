/**
 * The shapes that travel through the pipeline. Field names follow OpenSky's
 * REST API documentation for `/api/states/all`.
 *
 * @module
 */

/** The order of fields in a raw state vector array from `/api/states/all`. */
export const STATE_VECTOR_FIELDS = [
  'icao24',
  'callsign',
  'origin_country',
  'time_position',
  'last_contact',
  'longitude',
  'latitude',
  'baro_altitude',
  'on_ground',
  'velocity',
  'true_track',
  'vertical_rate',
  'sensors',
  'geo_altitude',
  'squawk',
  'spi',
  'position_source',
  'category',
] as const;

export type StateVectorField = (typeof STATE_VECTOR_FIELDS)[number];

/** A raw state vector as the API sends it: 17 values, or 18 with `extended=1`. */
export type RawStateVector = readonly unknown[];

/**
 * One state vector with named fields: the form in which records travel on Kafka.
 * Units are OpenSky's: metres, m/s, degrees, Unix seconds.
 */
export interface StateVector {
  /** ICAO 24-bit transponder address, lower-case hex. */
  icao24: string;
  /** Callsign as sent: often padded to 8 characters, or empty. */
  callsign: string | null;
  origin_country: string;
  /** Unix seconds of the last position update, or null. */
  time_position: number | null;
  /** Unix seconds of the last message of any kind. */
  last_contact: number;
  longitude: number | null;
  latitude: number | null;
  /** Barometric altitude in metres. */
  baro_altitude: number | null;
  on_ground: boolean;
  /** Ground speed in m/s. */
  velocity: number | null;
  true_track: number | null;
  vertical_rate: number | null;
  sensors: number[] | null;
  /** Geometric altitude in metres. */
  geo_altitude: number | null;
  squawk: string | null;
  spi: boolean;
  /** 0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM. */
  position_source: number;
  /** Aircraft category (only with `extended=1`), else absent. */
  category?: number | null;
}

/** A `/api/states/all` response after parsing. */
export interface StatesResponse {
  /** Unix seconds the snapshot is valid for. */
  time: number;
  /** State vectors; an empty array when the API sent `states: null`. */
  states: StateVector[];
}

/** What `transformStateVector` produces for an aircraft in the air. */
export interface FlightRecord {
  icao24: string;
  /** Trimmed callsign, null when missing or blank. */
  callsign: string | null;
  origin_country: string;
  /** ISO-8601 UTC to the second, e.g. `2024-08-01T12:34:56Z`, or null. */
  time_position: string | null;
  longitude: number | null;
  latitude: number | null;
  /** Altitude in feet, rounded. */
  altitude_feet: number;
  /** Ground speed in knots, rounded; null when velocity is missing. */
  velocity_knots: number | null;
}

/** The value of a Kafka record on `aviation-data`: a state vector plus its snapshot time. */
export interface StateVectorMessage extends StateVector {
  /** Unix seconds of the snapshot this vector came from. */
  snapshot_time: number;
}
