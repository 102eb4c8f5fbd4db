/**
 * No Kafka, no Lambda: OpenSky → transformStateVector → SNS in one process.
 *   npx node examples/in-process.ts
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { createJsonLogger, createPipeline } from '../src/index.ts';

const pipeline = createPipeline({
  mode: 'in-process',
  source: { intervalMs: 10_000, maxSnapshots: 3 },
  publisher: {
    topicName: 'FlightNotifications',
    createIfMissing: true,
    client: new SNSClient({
      endpoint: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
      region: 'us-east-1',
    }),
  },
  logger: createJsonLogger(),
});
pipeline.on('published', ({ published, failed }) =>
  console.log(`published ${published}, failed ${failed.length}`),
);
process.once('SIGINT', () => void pipeline.stop());
await pipeline.run();
console.log(pipeline.stats);
