/**
 * Results, per-call options and counters of the SNS publisher.
 *
 * @module
 */
import type { AttributeInput } from './attributes.ts';

/** One record to publish, and what its message carries besides the record. */
export interface PublishItem<T> {
  record: T;
  /**
   * The record's W3C `traceparent`, added as the String attribute `traceparent` when the
   * message has room for it: SNS takes at most 10 attributes (and raw SQS delivery drops a
   * message with more), so the trace context yields to the data's attributes and never
   * fails a message. An attribute of that name given otherwise wins.
   */
  traceparent?: string | undefined;
  /**
   * Attributes of this message, on top of the mapped and static ones (they win on a name
   * clash). An invalid name fails this item with `InvalidAttribute`.
   * @example `{ attributes: { source: 'replay' } }`
   */
  attributes?: ExtraAttributes | undefined;
}

/** Attributes of one message: a name → value map (`null` and `undefined` values are left out). */
export type ExtraAttributes = Readonly<Record<string, AttributeInput | null | undefined>>;

/**
 * What became of one item, at the item's index in {@link PublishResult.results}:
 * - `published`: SNS confirmed it, with its message id;
 * - `failed`: SNS (or the publisher's checks) refused it, or every retry failed; worth retrying later;
 * - `too-large`: its message and attributes exceed what SNS accepts: no retry publishes it;
 * - `aborted`: the call's signal aborted before SNS confirmed it (it may have been delivered).
 */
export type PublishItemResult =
  | { outcome: 'published'; messageId: string }
  | {
      outcome: 'failed' | 'too-large' | 'aborted';
      /** SNS's error code (e.g. `InternalError`, `ThrottledException`), or one of `PublishFailureCodes`. */
      code: string;
      message: string;
    };

/** An item that was not published (failed, too large or aborted), with why. */
export interface FailedPublish<T> {
  /** The item's index in the call. */
  index: number;
  record: T;
  /** SNS's error code (e.g. `InternalError`, `ThrottledException`), or one of `PublishFailureCodes`. */
  code: string;
  message: string;
}

/**
 * What one `SnsPublisher.publish` call did: one result per item, by position, and the same
 * summed up. Every item is either counted in `published` or listed in `failed`.
 */
export interface PublishResult<T> {
  /** `results[i]` is what became of `items[i]`; as long as the items. */
  results: PublishItemResult[];
  published: number;
  /** The items not published, in input order (aborted ones with code `Aborted`). */
  failed: FailedPublish<T>[];
}

/** Options of one `SnsPublisher.publish` call. */
export interface PublishOptions {
  /**
   * Stop the call: items SNS had not confirmed end `aborted` (code `Aborted`); the call
   * still resolves, with every item accounted for.
   */
  signal?: AbortSignal | undefined;
}

/** Live counters of an `SnsPublisher` (the same object, updated in place). */
export interface SnsPublisherStats {
  /** Records SNS accepted. */
  published: number;
  /** Records reported as failed. */
  failed: number;
  /** PublishBatch requests sent, retries included. */
  requests: number;
  /** PublishBatch requests that were retries (of failed entries or of a failed request). */
  retries: number;
  /** Requests (or entries) SNS throttled. */
  throttled: number;
  /** Bytes SNS counts (message plus attributes) of the published records. */
  bytes: number;
  /** Latency of the last PublishBatch request, ms. */
  lastLatencyMs: number;
}
