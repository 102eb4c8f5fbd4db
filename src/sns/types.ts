/**
 * Results, per-call options and counters of the SNS publisher.
 *
 * @module
 */
import type { AttributeInput } from './attributes.ts';

/** A record that was not published, with why. */
export interface FailedPublish<T> {
  record: T;
  /** SNS's error code (e.g. `InternalError`, `ThrottledException`), or one of `PublishFailureCodes`. */
  code: string;
  message: string;
}

/** What one `SnsPublisher.publish` call did. Every record is either counted in `published` or listed in `failed`. */
export interface PublishResult<T> {
  published: number;
  failed: FailedPublish<T>[];
}

/** Extra attributes for one publish call: a map for every message, or a function of the record. */
export type ExtraAttributes<T> =
  | Readonly<Record<string, AttributeInput | null | undefined>>
  | ((record: T, index: number) => Readonly<Record<string, AttributeInput | null | undefined>> | undefined);

/** Options of one `SnsPublisher.publish` call. */
export interface PublishOptions<T> {
  /** Abort the call: unsent and unconfirmed records are failed with code `Aborted`, and the call rejects. */
  signal?: AbortSignal;
  /**
   * Attributes added to these messages, on top of the mapped and static ones
   * (they win on a name clash): e.g. a W3C trace context carried through from
   * the Kafka headers. A map is checked once (an invalid name throws
   * `ConfigError`); a function is called per record (an invalid name
   * fails that record with `InvalidAttribute`).
   *
   * @example
   * ```ts
   * await publisher.publish(records, { attributes: { traceparent } });
   * await publisher.publish(records, { attributes: (_record, i) => ({ traceparent: parents[i] }) });
   * ```
   */
  attributes?: ExtraAttributes<T>;
  /**
   * A W3C `traceparent` per record, added as the String attribute `traceparent` when the
   * message has room for it: SNS takes at most 10 attributes (and raw SQS delivery drops a
   * message with more), so the trace context yields to the data's attributes and never
   * fails a message. An attribute of that name given otherwise wins.
   *
   * @example
   * ```ts
   * await publisher.publish(records, { traceparent: (_record, i) => parents[i] });
   * ```
   */
  traceparent?: (record: T, index: number) => string | undefined;
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
