/**
 * The processing Lambda: decodes the Kafka event, runs transformStateVector on
 * every record and publishes the aircraft in the air to SNS. The template in
 * `lambda-template/` is this function, bundled; `opensky-stream init lambda`
 * projects import it from the package, so the rules live in one place.
 *
 * @module
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsEndpointFromEnv } from '../aws/endpoint-env.ts';
import {
  type BatchSummary,
  processFlightBatch,
  RecordOutcomes,
  TRANSFORM_ERROR,
} from '../batch/processor.ts';
import { DEFAULT_SNS_TOPIC_NAME } from '../config/defaults.ts';
import type { FlightRecord, StateVector } from '../domain/types.ts';
import { FullBatchFailureError } from '../errors.ts';
import { createJsonLogger, type Logger } from '../logger.ts';
import { SnsPublisher } from '../sns/publisher.ts';
import { TRACEPARENT } from '../tracing/traceparent.ts';
import { requireInteger } from '../util/validate.ts';
import {
  decodeKafkaRecord,
  eventRecords,
  type KafkaBatchResponse,
  type KafkaEvent,
  kafkaItemIdentifier,
} from './event.ts';
import { type MetricRecorder, publishedMetricRecorder, recordPublished } from './metrics.ts';

/**
 * What one invocation did: `filtered` valid state vectors of aircraft not in the air,
 * `malformed` records that are not state vectors (counted, logged, not retried), `failed`
 * records whose transform threw or whose notification could not be published (reported for retry).
 */
export type FlightHandlerSummary = BatchSummary;

/** The handler's answer: a partial-batch response plus the summary. */
export interface FlightHandlerResult extends KafkaBatchResponse {
  summary: FlightHandlerSummary;
}

/**
 * Options of {@link createFlightHandler}. `T` is what your `transform` adds to each record
 * (say `{ flight_level: number }`); the notifications are `FlightRecord & T`. TypeScript infers
 * it from the transform's return type.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` adds no fields, so `FlightRecord & {}` is FlightRecord.
export interface FlightHandlerOptions<T extends object = {}> {
  /** @default an SnsPublisher for env `SNS_TOPIC_ARN` (or `SNS_TOPIC_NAME`) */
  publisher?: Pick<SnsPublisher<FlightRecord & T>, 'publish'>;
  /**
   * Replace or extend the processing; a throw fails that record only (it is reported in
   * `batchItemFailures`, the others go on). @default transformStateVector's rules
   */
  transform?: (sv: StateVector) => (FlightRecord & T) | null;
  logger?: Logger;
  /**
   * Record the published count as the CloudWatch metric `OpenSkyStream/NotificationsPublished`
   * (what `opensky-stream count` reads); `false` to skip. Defaults on when `SNS_TOPIC_ARN` is set.
   */
  metrics?: { client?: CloudWatchClient; topicArn: string } | false;
  /**
   * Stop publishing when this little of the invocation's time is left (Lambda's
   * `context.getRemainingTimeInMillis()`), ms: the records SNS has not confirmed by then are
   * reported as failed, so the event source mapping retries only those, instead of the
   * function timing out and the whole batch being published again. It leaves room for the
   * metric and the answer. @default 2000
   */
  timeoutMarginMs?: number;
  /** How long the CloudWatch metric may take, ms (never more than half the time left). @default 1000 */
  metricsTimeoutMs?: number;
}

/** A client's `endpoint` setting, when there is one (the SDK's own resolution otherwise). */
const withEndpoint = (endpoint: string | undefined) => (endpoint ? { endpoint } : {});

/** Defaults of the handler's timing options. */
export const defaultFlightHandlerOptions = {
  timeoutMarginMs: 2_000,
  metricsTimeoutMs: 1_000,
} as const satisfies Partial<FlightHandlerOptions>;

/** What the handler reads of Lambda's context object. */
export interface FlightHandlerContext {
  /** Milliseconds left before the invocation times out. */
  getRemainingTimeInMillis?(): number;
}

/** Milliseconds left in the invocation, or `undefined` outside Lambda (no context). */
function remainingMs(context: FlightHandlerContext | undefined): number | undefined {
  const left = context?.getRemainingTimeInMillis?.();
  return typeof left === 'number' && Number.isFinite(left) ? left : undefined;
}

function publisherFromEnv<R extends FlightRecord>(env: NodeJS.ProcessEnv): SnsPublisher<R> {
  const topicArn = env.SNS_TOPIC_ARN;
  return new SnsPublisher<R>(
    topicArn ? { topicArn } : { topicName: env.SNS_TOPIC_NAME ?? DEFAULT_SNS_TOPIC_NAME },
  );
}

/**
 * Build the Lambda handler. Accepts self-managed Kafka and MSK events. A
 * record's `traceparent` header (W3C trace context, started by `produce`) is
 * carried into its notification's `traceparent` attribute. Each
 * record ends published, filtered, malformed or failed (a failed publish, or
 * a custom transform that threw); the answer lists the failed ones in
 * `batchItemFailures`, so the event source mapping (or the bridge) retries
 * from the lowest failed offset of each partition. When every record failed
 * it throws {@link FullBatchFailureError} instead: the invocation fails.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` adds no fields (see FlightHandlerOptions).
export function createFlightHandler<T extends object = {}>(options: FlightHandlerOptions<T> = {}) {
  const timeoutMarginMs = options.timeoutMarginMs ?? defaultFlightHandlerOptions.timeoutMarginMs;
  const metricsTimeoutMs = options.metricsTimeoutMs ?? defaultFlightHandlerOptions.metricsTimeoutMs;
  requireInteger(timeoutMarginMs, '/options/timeoutMarginMs', 0);
  requireInteger(metricsTimeoutMs, '/options/metricsTimeoutMs', 1);
  const logger = options.logger ?? createJsonLogger({ base: { fn: process.env.AWS_LAMBDA_FUNCTION_NAME } });
  let publisher = options.publisher;
  const topicArn = process.env.SNS_TOPIC_ARN;
  const metrics =
    options.metrics === false
      ? undefined
      : (options.metrics ?? (topicArn && !options.publisher ? { topicArn } : undefined));
  let recordMetric: MetricRecorder | undefined;
  return async (event: KafkaEvent, context?: FlightHandlerContext): Promise<FlightHandlerResult> => {
    publisher ??= publisherFromEnv<FlightRecord & T>(process.env);
    const left = remainingMs(context);
    const deadline =
      left === undefined ? undefined : AbortSignal.timeout(Math.max(0, left - timeoutMarginMs));
    const items = eventRecords(event).map((raw) => {
      const decoded = decodeKafkaRecord<StateVector>(raw);
      const traceparent = decoded.headers[TRACEPARENT];
      return {
        id: kafkaItemIdentifier(raw),
        value: decoded.value,
        ...(traceparent ? { traceparent } : {}),
      };
    });
    const { results, summary } = await processFlightBatch(items, {
      publisher,
      ...(options.transform ? { transform: options.transform } : {}),
      ...(deadline ? { signal: deadline } : {}),
    });
    if (deadline?.aborted) {
      logger.warn(
        "stopped publishing before the function's timeout; the unconfirmed records are reported for retry",
        {
          remainingMs: remainingMs(context),
        },
      );
    }
    const failed = results.filter((r) => r.outcome === RecordOutcomes.FAILED);
    for (const result of results) {
      if (result.outcome === RecordOutcomes.MALFORMED)
        logger.warn('record is not a valid state vector', { ...result.id, reason: result.reason });
      else if (result.reason === TRANSFORM_ERROR)
        logger.error('the transform threw', { ...result.id, error: result.message });
    }
    if (failed.length) logger.error('records failed', { count: failed.length, reason: failed[0]?.reason });
    if (metrics && summary.published > 0) {
      // Your client goes through its own send (its middleware, its mocks); the default one's
      // configuration signs a lean request of the handler's own (publishedMetricRecorder).
      recordMetric ??= metrics.client
        ? (topic, count, timeoutMs) =>
            recordPublished(metrics.client!, topic, count, { signal: AbortSignal.timeout(timeoutMs) })
        : publishedMetricRecorder(new CloudWatchClient(withEndpoint(awsEndpointFromEnv('CLOUDWATCH'))));
      // Bounded by the time left, so a stalled connection cannot time the invocation out after
      // the records were published (which would publish the whole batch again).
      const now = remainingMs(context);
      const budget = now === undefined ? metricsTimeoutMs : Math.min(metricsTimeoutMs, Math.floor(now / 2));
      // A metric is not worth failing (and retrying) a batch for: log and go on.
      await recordMetric(metrics.topicArn, summary.published, Math.max(1, budget)).catch((error: unknown) =>
        logger.warn('could not record the published-notifications metric', {
          error: (error as Error).message,
        }),
      );
    }
    logger.info('processed', { ...summary });
    if (failed.length > 0 && failed.length === summary.records) {
      throw new FullBatchFailureError(`all ${failed.length} records failed (first: ${failed[0]!.reason})`, {
        details: {
          summary,
          failures: failed.map((r) => ({ ...r.id, reason: r.reason, message: r.message })),
        },
      });
    }
    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.id })), summary };
  };
}
