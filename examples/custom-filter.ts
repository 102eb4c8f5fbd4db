/**
 * A custom processing rule on top of the shared one: a bounding box and an altitude band,
 * with altitude sent as a Number attribute so SNS subscribers can filter numerically too
 * (e.g. {"altitude_feet": [{"numeric": [">=", 30000]}]}), and a field of its own.
 *
 * Offline by default (generated traffic); OPENSKY_LIVE=1 asks OpenSky for the box instead.
 *   node custom-filter.ts
 *   SNS_TOPIC_NAME=Cruising AWS_ENDPOINT_URL=http://127.0.0.1:4566 node custom-filter.ts
 */
import { SNSClient } from '@aws-sdk/client-sns';
import {
  createPipeline,
  type FlightRecord,
  type StateVector,
  syntheticSnapshots,
  transformStateVector,
} from 'opensky-stream';

const box = { lamin: 35, lomin: -10, lamax: 60, lomax: 30 }; // Europe
const band = { minFeet: 20_000, maxFeet: 45_000 };
const snapshots = Number(process.env.SNAPSHOTS ?? 3);

/** What is published: the library's record plus the flight level. */
type Cruising = FlightRecord & { flight_level: number };

function europeCruising(sv: StateVector): Cruising | null {
  const record = transformStateVector(sv);
  if (!record || record.latitude === null || record.longitude === null) return null;
  const inBox =
    record.latitude >= box.lamin &&
    record.latitude <= box.lamax &&
    record.longitude >= box.lomin &&
    record.longitude <= box.lomax;
  const inBand = record.altitude_feet >= band.minFeet && record.altitude_feet <= band.maxFeet;
  return inBox && inBand ? { ...record, flight_level: Math.round(record.altitude_feet / 100) } : null;
}

const pipeline = createPipeline({
  mode: 'in-process',
  // Asking OpenSky for the box also makes each call cheaper (credits by area).
  source:
    process.env.OPENSKY_LIVE === '1'
      ? { bbox: box, intervalMs: 10_000, maxSnapshots: snapshots }
      : syntheticSnapshots({ aircraft: 2000, intervalMs: 1000, maxSnapshots: snapshots }),
  transform: europeCruising,
  publisher: {
    topicName: process.env.SNS_TOPIC_NAME ?? 'FlightNotifications',
    createIfMissing: true,
    attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
    client: new SNSClient({
      endpoint: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
      region: process.env.AWS_REGION ?? 'us-east-1',
    }),
  },
});
await pipeline.run();
console.log(JSON.stringify(pipeline.stats));
