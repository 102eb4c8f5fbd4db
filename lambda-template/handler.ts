/**
 * The reference pipeline's Lambda function: Kafka event → transformStateVector
 * → SNS `FlightNotifications` (attribute `origin_country`).
 *
 * Environment: `SNS_TOPIC_ARN` (or `SNS_TOPIC_NAME`), and the usual AWS
 * variables. `npm run build` bundles this file with its dependencies into
 * dist/lambda/index.mjs (handler `index.handler`); `opensky-stream deploy`
 * zips and deploys it.
 */
import { createFlightHandler } from '../src/handler/handler.ts';

export const handler = createFlightHandler();
