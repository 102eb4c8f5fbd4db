/**
 * No Kafka, no Lambda: snapshots → transformStateVector → SNS in one process.
 *
 * Offline by default (generated traffic); OPENSKY_LIVE=1 polls the live OpenSky API instead.
 * Against the local stack (`npx opensky-stream stack up`) unless AWS_ENDPOINT_URL says otherwise:
 *   node in-process.ts                          # Node ≥ 22.18 runs TypeScript as is
 *   SNS_TOPIC_NAME=MyFlights SNAPSHOTS=10 node in-process.ts
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { createJsonLogger, createPipeline, syntheticSnapshots } from 'opensky-stream';

const snapshots = Number(process.env.SNAPSHOTS ?? 3);

const pipeline = createPipeline({
  mode: 'in-process',
  source:
    process.env.OPENSKY_LIVE === '1'
      ? { intervalMs: 10_000, maxSnapshots: snapshots }
      : syntheticSnapshots({ aircraft: 500, intervalMs: 1000, maxSnapshots: snapshots }),
  publisher: {
    topicName: process.env.SNS_TOPIC_NAME ?? 'FlightNotifications',
    createIfMissing: true,
    client: new SNSClient({
      endpoint: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
      region: process.env.AWS_REGION ?? 'us-east-1',
    }),
  },
  logger: createJsonLogger({ level: 'warn' }),
});
pipeline.on('published', ({ published, failed }) =>
  console.log(`published ${published}, failed ${failed.length}`),
);
process.once('SIGINT', () => void pipeline.stop());
await pipeline.run();
console.log(JSON.stringify(pipeline.stats));
