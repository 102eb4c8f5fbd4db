/**
 * The per-record batch core of the processing step, shared by the Lambda
 * handler and in-process mode (in the spirit of Powertools' BatchProcessor):
 * every record ends as exactly one of published, filtered, malformed or
 * failed, and one bad record never fails the others.
 *
 * @module
 */

import type { FlightRecord, StateVector } from '../domain/types.ts';
import { hasErrorCode } from '../errors.ts';
import { PublishFailureCodes } from '../sns/constants.ts';
import type { SnsPublisher } from '../sns/publisher.ts';
import type { PublishResult } from '../sns/types.ts';
import { loadTracing, type SpanHandle, startSpan, tracingActive } from '../tracing/spans.ts';
import { formatTraceparent, parseTraceparent } from '../tracing/traceparent.ts';
import { tryTransformStateVector } from '../transform/transform.ts';

/** How a record of a batch ended. */
export const RecordOutcomes = {
  /** SNS confirmed its notification. */
  PUBLISHED: 'published',
  /** A valid state vector of an aircraft not in the air: nothing to publish. */
  FILTERED: 'filtered',
  /**
   * Not a state vector (or not JSON), or one whose notification is larger than SNS accepts
   * (reason {@link TOO_LARGE}): counted, never retried.
   */
  MALFORMED: 'malformed',
  /** The transform threw, or its notification was not published: worth retrying. */
  FAILED: 'failed',
} as const;

export type RecordOutcome = (typeof RecordOutcomes)[keyof typeof RecordOutcomes];

/** `reason` of a record whose custom transform threw. */
export const TRANSFORM_ERROR = 'TransformError';

/**
 * `reason` of a malformed record whose notification exceeds SNS's 256 KiB (a string field
 * hundreds of kilobytes long): no retry can publish it, and retrying it would publish the
 * records after it in its partition again each time.
 */
export const TOO_LARGE = 'too-large';

/** One record of a batch: an identifier of the caller's choosing and its decoded value. */
export interface BatchItem<Id> {
  id: Id;
  /** The decoded record; `undefined` when it is not JSON. */
  value: unknown;
  /**
   * The record's W3C trace context (its Kafka `traceparent` header), carried into its SNS
   * message as the `traceparent` attribute (when the message has room: SNS allows 10).
   */
  traceparent?: string;
}

/** What became of one record. */
export interface RecordResult<Id> {
  id: Id;
  outcome: RecordOutcome;
  /**
   * Malformed: `not-json`, the validation reason, or {@link TOO_LARGE}. Failed: {@link TRANSFORM_ERROR}, SNS's
   * error code, or `Aborted` (stopped before SNS confirmed it; it may have been delivered).
   */
  reason?: string;
  message?: string;
}

/** Counts of a batch: `records` is the sum of the four outcomes. */
export interface BatchSummary {
  records: number;
  published: number;
  filtered: number;
  malformed: number;
  failed: number;
}

/**
 * Options of {@link processFlightBatch}. `T` is what a custom transform adds to each record
 * (fields of your own, say `{ flight_level: number }`): its notifications are `FlightRecord & T`.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` adds no fields, so `FlightRecord & {}` is FlightRecord.
export interface FlightBatchOptions<T extends object = {}> {
  publisher: Pick<SnsPublisher<FlightRecord & T>, 'publish'>;
  /** Replace the processing; a throw fails that record only. @default transformStateVector's rules */
  transform?: (sv: StateVector) => (FlightRecord & T) | null;
  /** Stops the publish: what SNS had not confirmed ends `failed` with reason `Aborted`. */
  signal?: AbortSignal;
}

/** The outcome of a batch: one result per record, in input order, and the counts. */
// biome-ignore lint/complexity/noBannedTypes: `{}` adds no fields (see FlightBatchOptions).
export interface FlightBatchResult<Id, T extends object = {}> {
  results: RecordResult<Id>[];
  summary: BatchSummary;
  /** The publisher's own answer for the records that were sent. */
  publish: PublishResult<FlightRecord & T>;
}

/**
 * Transform each record and publish the aircraft in the air in one
 * `publish` call. Never rejects for a record's sake: a malformed record, a
 * throwing transform or a failed publish is that record's outcome. Rejects
 * only when the publisher itself does (e.g. the topic cannot be resolved).
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` adds no fields (see FlightBatchOptions).
export async function processFlightBatch<Id, T extends object = {}>(
  items: Iterable<BatchItem<Id>>,
  options: FlightBatchOptions<T>,
): Promise<FlightBatchResult<Id, T>> {
  const results: RecordResult<Id>[] = [];
  const toPublish: Array<{ record: FlightRecord & T; result: RecordResult<Id>; traceparent?: string }> = [];
  for (const { id, value, traceparent } of items) {
    const result: RecordResult<Id> = { id, outcome: RecordOutcomes.FAILED };
    results.push(result);
    if (value === undefined) {
      Object.assign(result, { outcome: RecordOutcomes.MALFORMED, reason: 'not-json' });
      continue;
    }
    let record: (FlightRecord & T) | null;
    if (options.transform) {
      try {
        record = options.transform(value as StateVector);
      } catch (error) {
        Object.assign(result, {
          reason: TRANSFORM_ERROR,
          message: (error as Error)?.message ?? String(error),
        });
        continue;
      }
    } else {
      const transformed = tryTransformStateVector(value);
      if (!transformed.ok) {
        Object.assign(result, { outcome: RecordOutcomes.MALFORMED, reason: transformed.reason });
        continue;
      }
      // Without a transform there is nothing to add: T is {} here, and FlightRecord & {} is FlightRecord.
      record = transformed.record as FlightRecord & T;
    }
    if (record) toPublish.push(traceparent ? { record, result, traceparent } : { record, result });
    else result.outcome = RecordOutcomes.FILTERED;
  }

  const traced = toPublish.some((p) => p.traceparent !== undefined);
  await loadTracing();
  const span =
    traced && tracingActive()
      ? startSpan('sns publish', {
          kind: 'producer',
          parents: toPublish.map((p) => p.traceparent),
          attributes: { 'messaging.system': 'aws_sns', 'messaging.batch.message_count': toPublish.length },
        })
      : undefined;
  const publish = await publishAccountingForAbort(
    options.publisher,
    toPublish.map((p) => p.record),
    options.signal,
    traced ? (_record, i) => carriedTraceparent(toPublish[i]?.traceparent, span) : undefined,
  ).catch((error: unknown) => {
    span?.end({ error });
    throw error;
  });
  span?.setAttributes({
    'opensky_stream.published': publish.published,
    'opensky_stream.failed': publish.failed.length,
  });
  span?.end(publish.failed.length > 0 ? { error: `${publish.failed.length} records not published` } : {});
  // The publisher reports failures by record; match them back by position, so two records
  // that a custom transform mapped to the same object are still told apart.
  const positions = new Map<FlightRecord & T, number[]>();
  for (const [i, { record }] of toPublish.entries()) {
    const at = positions.get(record);
    if (at) at.push(i);
    else positions.set(record, [i]);
  }
  const failedAt = new Map<number, { code: string; message: string }>();
  for (const failure of publish.failed) {
    const i = positions.get(failure.record)?.shift();
    if (i !== undefined) failedAt.set(i, failure);
  }
  toPublish.forEach(({ result }, i) => {
    const failure = failedAt.get(i);
    if (failure?.code === PublishFailureCodes.MESSAGE_TOO_LARGE)
      Object.assign(result, {
        outcome: RecordOutcomes.MALFORMED,
        reason: TOO_LARGE,
        message: failure.message,
      });
    else if (failure) Object.assign(result, { reason: failure.code, message: failure.message });
    else result.outcome = RecordOutcomes.PUBLISHED;
  });

  const summary: BatchSummary = {
    records: results.length,
    published: 0,
    filtered: 0,
    malformed: 0,
    failed: 0,
  };
  for (const { outcome } of results) summary[outcome]++;
  return { results, summary, publish };
}

/**
 * The trace context a record's notification carries: its own, or, when the publish span
 * continues that same trace, the span's (so a subscriber's span becomes the publish span's child).
 */
function carriedTraceparent(
  traceparent: string | undefined,
  span: SpanHandle | undefined,
): string | undefined {
  const context = parseTraceparent(traceparent);
  if (!context) return undefined; // a malformed header is not passed on
  return span && context.traceId === span.traceId ? span.traceparent : formatTraceparent(context);
}

/**
 * `publisher.publish`, but an abort resolves with the partial result its
 * AbortError carries (confirmed records published, the rest failed as
 * `Aborted`) instead of rejecting, so no record goes uncounted.
 */
async function publishAccountingForAbort<R extends FlightRecord>(
  publisher: Pick<SnsPublisher<R>, 'publish'>,
  records: R[],
  signal: AbortSignal | undefined,
  traceparent: ((record: R, index: number) => string | undefined) | undefined,
): Promise<PublishResult<R>> {
  try {
    return await publisher.publish(records, {
      ...(signal ? { signal } : {}),
      ...(traceparent ? { traceparent } : {}),
    });
  } catch (error) {
    if (!hasErrorCode(error, 'OSS_ABORTED')) throw error;
    const partial = error.details.result as PublishResult<R> | undefined;
    return (
      partial ?? {
        published: 0,
        failed: records.map((record) => ({
          record,
          code: PublishFailureCodes.ABORTED,
          message: 'stopped before the records were sent',
        })),
      }
    );
  }
}
