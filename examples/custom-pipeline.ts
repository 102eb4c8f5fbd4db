/**
 * The primitives composed by hand: snapshots → Kafka, and Kafka → Lambda, in one process.
 * It needs the processing function deployed (`npx opensky-stream deploy`), and stops once
 * the function has had every record it produced.
 *
 * Offline by default (generated traffic); OPENSKY_LIVE=1 polls OpenSky over Switzerland instead.
 * Names from the environment, as the CLI's: KAFKA_BROKERS, KAFKA_TOPIC, KAFKA_GROUP_ID,
 * LAMBDA_FUNCTION_NAME, AWS_ENDPOINT_URL (the local stack by default).
 *   node custom-pipeline.ts
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  createJsonLogger,
  KafkaSink,
  LambdaInvoker,
  OpenSkySource,
  syntheticSnapshots,
} from 'opensky-stream';

const logger = createJsonLogger({ level: 'info' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = process.env.KAFKA_TOPIC ?? 'aviation-data';
const maxSnapshots = Number(process.env.SNAPSHOTS ?? 3);

// Switzerland: a 2° × 4.6° box costs 1 credit per call.
const source =
  process.env.OPENSKY_LIVE === '1'
    ? new OpenSkySource({
        bbox: { lamin: 45.8, lomin: 5.9, lamax: 47.8, lomax: 10.5 },
        intervalMs: 10_000,
        logger,
        maxSnapshots,
      })
    : syntheticSnapshots({ aircraft: 300, intervalMs: 1000, maxSnapshots });
const sink = new KafkaSink({ brokers, topic, logger });
const bridge = new LambdaInvoker({
  brokers,
  topic,
  groupId: process.env.KAFKA_GROUP_ID ?? 'opensky-stream-example',
  // A new group reads the topic from its oldest record: nothing produced before it joined is skipped.
  startingPosition: 'TRIM_HORIZON',
  functionName: process.env.LAMBDA_FUNCTION_NAME ?? 'opensky-stream-processor',
  lambda: new LambdaClient({
    endpoint: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
    region: process.env.AWS_REGION ?? 'us-east-1',
  }),
  batchSize: 200,
  logger,
});
bridge.on('deadLetter', ({ records, reason }) => logger.warn('dead-lettered', { records, reason }));

await sink.ensureTopic({ partitions: 3 });
await bridge.start();
for await (const snapshot of source) {
  await sink.write(snapshot);
  logger.info('snapshot', { time: snapshot.time, aircraft: snapshot.states.length });
}
await sink.close();
// Every record produced has been handed to the function once the group's lag is 0 everywhere.
const lagOf = async () => Object.values(await bridge.lag()).reduce((sum, lag) => sum + lag, 0);
for (let lag = await lagOf(); lag > 0; lag = await lagOf())
  await new Promise((resolve) => setTimeout(resolve, 500));
await bridge.stop();
console.log(JSON.stringify({ sink: sink.stats, bridge: bridge.stats }));
