/**
 * A custom processing rule on top of the shared one: a bounding box and an
 * altitude band, with altitude sent as a Number attribute so SNS subscribers
 * can filter numerically too (e.g. {"altitude_feet": [{"numeric": [">=", 30000]}]}).
 *   npx node examples/custom-filter.ts
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { createPipeline, type FlightRecord, type StateVector, transformStateVector } from '../src/index.ts';

const box = { lamin: 35, lomin: -10, lamax: 60, lomax: 30 }; // Europe
const band = { minFeet: 20_000, maxFeet: 45_000 };

function europeCruising(sv: StateVector): FlightRecord | null {
  const record = transformStateVector(sv);
  if (!record || record.latitude === null || record.longitude === null) return null;
  const inBox =
    record.latitude >= box.lamin &&
    record.latitude <= box.lamax &&
    record.longitude >= box.lomin &&
    record.longitude <= box.lomax;
  const inBand = record.altitude_feet >= band.minFeet && record.altitude_feet <= band.maxFeet;
  return inBox && inBand ? record : null;
}

const pipeline = createPipeline({
  mode: 'in-process',
  // Asking OpenSky for the box also makes each call cheaper (credits by area).
  source: { bbox: box, intervalMs: 10_000, maxSnapshots: 3 },
  transform: europeCruising,
  publisher: {
    topicName: 'FlightNotifications',
    createIfMissing: true,
    attributes: [{ field: 'origin_country' }, { field: 'altitude_feet', type: 'Number' }],
    client: new SNSClient({
      endpoint: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
      region: 'us-east-1',
    }),
  },
});
await pipeline.run();
console.log(pipeline.stats);
