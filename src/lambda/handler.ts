/**
 * The processing Lambda: decodes the Kafka event, runs transformStateVector on
 * every record and publishes the aircraft in the air to SNS. The template in
 * `lambda-template/` is this function, bundled; `opensky-stream init lambda`
 * projects import it from the package, so the rules live in one place.
 *
 * @module
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createJsonLogger, type Logger } from '../logger.ts';
import { SnsPublisher } from '../sns/publisher.ts';
import { tryTransformStateVector } from '../transform/transform.ts';
import type { FlightRecord, StateVector } from '../transform/types.ts';
import { decodeKafkaRecord, eventRecords, type KafkaBatchResponse, type KafkaEvent } from './event.ts';
import { recordPublished } from './metrics.ts';

/** What one invocation did. */
export interface FlightHandlerSummary {
  records: number;
  published: number;
  /** Valid state vectors of aircraft not in the air. */
  filtered: number;
  /** Records that are not state vectors (counted, logged, not retried). */
  malformed: number;
  /** Records whose notification could not be published (reported for retry). */
  failed: number;
}

/** The handler's answer: a partial-batch response plus the summary. */
export interface FlightHandlerResult extends KafkaBatchResponse {
  summary: FlightHandlerSummary;
}

/** Options of {@link createFlightHandler}. */
export interface FlightHandlerOptions {
  /** @default an SnsPublisher for env `SNS_TOPIC_ARN` (or `SNS_TOPIC_NAME`) */
  publisher?: Pick<SnsPublisher<FlightRecord>, 'publish'>;
  /** Replace or extend the processing. @default transformStateVector's rules */
  transform?: (sv: StateVector) => FlightRecord | null;
  logger?: Logger;
  /**
   * Record the published count as the CloudWatch metric `OpenSkyStream/NotificationsPublished`
   * (what `opensky-stream count` reads); `false` to skip. Defaults on when `SNS_TOPIC_ARN` is set.
   */
  metrics?: { client?: CloudWatchClient; topicArn: string } | false;
}

function publisherFromEnv(env: NodeJS.ProcessEnv): SnsPublisher<FlightRecord> {
  const topicArn = env.SNS_TOPIC_ARN;
  return new SnsPublisher<FlightRecord>(
    topicArn ? { topicArn } : { topicName: env.SNS_TOPIC_NAME ?? 'FlightNotifications' },
  );
}

/**
 * Build the Lambda handler. Accepts self-managed Kafka and MSK events; returns
 * `batchItemFailures` for records whose publish failed, so the event source
 * mapping (or the bridge) retries only those.
 */
export function createFlightHandler(options: FlightHandlerOptions = {}) {
  const logger = options.logger ?? createJsonLogger({ base: { fn: process.env.AWS_LAMBDA_FUNCTION_NAME } });
  let publisher = options.publisher;
  const topicArn = process.env.SNS_TOPIC_ARN;
  const metrics =
    options.metrics === false
      ? undefined
      : (options.metrics ?? (topicArn && !options.publisher ? { topicArn } : undefined));
  let cloudwatch: CloudWatchClient | undefined;
  return async (event: KafkaEvent): Promise<FlightHandlerResult> => {
    publisher ??= publisherFromEnv(process.env);
    const summary: FlightHandlerSummary = { records: 0, published: 0, filtered: 0, malformed: 0, failed: 0 };
    const pending: Array<{ record: FlightRecord; id: { partition: string; offset: number } }> = [];
    for (const raw of eventRecords(event)) {
      summary.records++;
      const decoded = decodeKafkaRecord<StateVector>(raw);
      const id = { partition: `${raw.topic}-${raw.partition}`, offset: raw.offset };
      if (decoded.value === undefined) {
        summary.malformed++;
        logger.warn('record is not JSON', { ...id });
        continue;
      }
      let record: FlightRecord | null;
      if (options.transform) {
        record = options.transform(decoded.value);
      } else {
        const result = tryTransformStateVector(decoded.value);
        if (!result.ok) {
          summary.malformed++;
          logger.warn('record is not a valid state vector', { ...id, reason: result.reason });
          continue;
        }
        record = result.record;
      }
      if (record) pending.push({ record, id });
      else summary.filtered++;
    }
    const { published, failed } = await publisher.publish(pending.map((p) => p.record));
    summary.published = published;
    summary.failed = failed.length;
    const failedSet = new Set(failed.map((f) => f.record));
    const batchItemFailures = pending
      .filter((p) => failedSet.has(p.record))
      .map((p) => ({ itemIdentifier: p.id }));
    if (failed.length)
      logger.error('notifications failed to publish', { count: failed.length, code: failed[0]?.code });
    if (metrics && published > 0) {
      cloudwatch ??= metrics.client ?? new CloudWatchClient({});
      // A metric is not worth failing (and retrying) a batch for: log and go on.
      await recordPublished(cloudwatch, metrics.topicArn, published).catch((error: unknown) =>
        logger.warn('could not record the published-notifications metric', {
          error: (error as Error).message,
        }),
      );
    }
    logger.info('processed', { ...summary });
    return { batchItemFailures, summary };
  };
}
