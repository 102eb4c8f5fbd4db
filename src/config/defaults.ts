/**
 * The names and numbers the library, the Lambda handler and the CLI share, in
 * one place: a pipeline whose parts are all left at their defaults fits
 * together (the sink writes the topic the bridge reads, the handler publishes
 * to the topic `deploy` creates), and changing one of them changes it everywhere.
 *
 * Plain constants with no imports, so that the Lambda bundle can use them
 * without pulling in anything else.
 *
 * @module
 */

/** The Kafka topic the state vectors are written to and read from. */
export const DEFAULT_KAFKA_TOPIC = 'aviation-data';

/** The SNS topic the notifications are published to. */
export const DEFAULT_SNS_TOPIC_NAME = 'FlightNotifications';

/** The Lambda function that turns state vectors into notifications. */
export const DEFAULT_FUNCTION_NAME = 'opensky-stream-processor';

/** The bridge's Kafka consumer group. */
export const DEFAULT_BRIDGE_GROUP_ID = 'opensky-stream-bridge';

/** The Kafka client id, and the `source` header of every record written. */
export const DEFAULT_CLIENT_ID = 'opensky-stream';

/** The Kafka bootstrap brokers: the local stack's broker. */
export const DEFAULT_KAFKA_BROKERS: readonly string[] = ['127.0.0.1:9092'];

/** The AWS region when none is configured (a local endpoint needs one to sign requests). */
export const DEFAULT_AWS_REGION = 'us-east-1';

/** How often a source polls, ms: OpenSky's authenticated resolution is 5 s, so 3 s misses no update. */
export const DEFAULT_INTERVAL_MS = 3000;
