/**
 * The primitives composed by hand: OpenSky → Kafka, and Kafka → Lambda, in one process.
 * Run against the local stack: `npm run stack:up`, then
 *   npx node examples/custom-pipeline.ts
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createJsonLogger, KafkaSink, LambdaInvoker, OpenSkySource } from '../src/index.ts';

const logger = createJsonLogger({ level: 'info' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

// Switzerland: a 2° × 4.6° box costs 1 credit per call.
const source = new OpenSkySource({
  bbox: { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 },
  intervalMs: 10_000,
  logger,
  maxSnapshots: 6,
});
const sink = new KafkaSink({ brokers, topic: 'aviation-data', logger });
const bridge = new LambdaInvoker({
  brokers,
  functionName: 'opensky-stream-processor',
  lambda: new LambdaClient({
    endpoint: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
    region: 'us-east-1',
  }),
  batchSize: 200,
  logger,
});
bridge.on('deadLetter', ({ records, reason }) => logger.warn('dead-lettered', { records, reason }));

await sink.ensureTopic({ partitions: 3 });
await bridge.start();
for await (const snapshot of source) {
  await sink.write(snapshot);
  logger.info('snapshot', { time: snapshot.time, aircraft: snapshot.states.length, lag: await bridge.lag() });
}
await sink.close();
await bridge.stop();
