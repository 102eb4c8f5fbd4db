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
import { PublishFailureCodes, PublishOutcomes } from '../sns/constants.ts';
import type { SnsPublisher } from '../sns/publisher.ts';
import type { PublishItem, PublishItemResult, PublishResult } from '../sns/types.ts';
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
 * `reason` of a malformed record the publisher reports `too-large` (its notification exceeds
 * SNS's 256 KiB: a string field hundreds of kilobytes long): no retry can publish it, and
 * retrying it would publish the records after it in its partition again each time.
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
  const publishItems: PublishItem<FlightRecord & T>[] = toPublish.map(({ record, traceparent }) => {
    const carried = traced ? carriedTraceparent(traceparent, span) : undefined;
    return carried ? { record, traceparent: carried } : { record };
  });
  const publish = await publishByPosition(options.publisher, publishItems, options.signal).catch(
    (error: unknown) => {
      span?.end({ error });
      throw error;
    },
  );
  span?.setAttributes({
    'opensky_stream.published': publish.published,
    'opensky_stream.failed': publish.failed.length,
  });
  span?.end(publish.failed.length > 0 ? { error: `${publish.failed.length} records not published` } : {});
  toPublish.forEach(({ result }, i) => {
    const outcome = publish.results[i]!;
    if (outcome.outcome === PublishOutcomes.PUBLISHED) result.outcome = RecordOutcomes.PUBLISHED;
    else if (outcome.outcome === PublishOutcomes.TOO_LARGE)
      Object.assign(result, {
        outcome: RecordOutcomes.MALFORMED,
        reason: TOO_LARGE,
        message: outcome.message,
      });
    else Object.assign(result, { reason: outcome.code, message: outcome.message });
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
 * `publisher.publish`, held to its contract: one result per item, by position. An answer
 * that does not account for every item (a custom publisher's count mismatch, a result it
 * left out, or a failure it reports that no result matches) fails the items it does not
 * vouch for: a record is published only when its own result says so. A publisher that
 * rejects because `signal` aborted leaves every item aborted.
 */
async function publishByPosition<R extends FlightRecord>(
  publisher: Pick<SnsPublisher<R>, 'publish'>,
  items: PublishItem<R>[],
  signal: AbortSignal | undefined,
): Promise<PublishResult<R>> {
  let answer: PublishResult<R>;
  try {
    answer = await publisher.publish(items, signal ? { signal } : {});
  } catch (error) {
    if (!hasErrorCode(error, 'OSS_ABORTED')) throw error;
    return settled(items, () => ({
      outcome: PublishOutcomes.ABORTED,
      code: PublishFailureCodes.ABORTED,
      message: 'stopped before the records were sent',
    }));
  }
  const results: unknown = answer?.results;
  const failedCount = Array.isArray(answer?.failed) ? answer.failed.length : -1;
  const consistent =
    Array.isArray(results) &&
    results.length === items.length &&
    results.every(isItemResult) &&
    failedCount === results.filter((r) => r.outcome !== PublishOutcomes.PUBLISHED).length &&
    answer.published === items.length - failedCount;
  if (consistent) return answer;
  const message = `the publisher did not account for each of the ${items.length} records by position`;
  const vouched = Array.isArray(results) && results.length === items.length ? results : [];
  return settled(items, (i) => {
    const result: unknown = vouched[i];
    // Only a failure is taken at its word here: "published" from an inconsistent answer is not.
    return isItemResult(result) && result.outcome !== PublishOutcomes.PUBLISHED
      ? result
      : { outcome: PublishOutcomes.FAILED, code: PublishFailureCodes.NO_RESULT, message };
  });
}

function isItemResult(value: unknown): value is PublishItemResult {
  if (typeof value !== 'object' || value === null) return false;
  const { outcome, code } = value as { outcome?: unknown; code?: unknown };
  if (outcome === PublishOutcomes.PUBLISHED) return true;
  return Object.values(PublishOutcomes).includes(outcome as never) && typeof code === 'string';
}

/** A result in which item `i` ended as `resultOf(i)`. */
function settled<R>(items: PublishItem<R>[], resultOf: (i: number) => PublishItemResult): PublishResult<R> {
  const results = items.map((_, i) => resultOf(i));
  const failed = results.flatMap((result, index) =>
    result.outcome === PublishOutcomes.PUBLISHED
      ? []
      : [{ index, record: items[index]!.record, code: result.code, message: result.message }],
  );
  return { results, published: items.length - failed.length, failed };
}
