/**
 * Amazon SNS limits a publisher must respect, and the codes of failures the
 * publisher detects itself before sending anything.
 *
 * @module
 */

/** Entries per PublishBatch request. */
export const SNS_MAX_BATCH_ENTRIES = 10;

/** Bytes per PublishBatch request (messages plus attribute names, types and values), and per message. */
export const SNS_MAX_BATCH_BYTES = 256 * 1024;

/**
 * Message attributes per message. SNS accepts more, but raw-delivery SQS
 * subscriptions discard messages with more than 10, so the publisher keeps to 10.
 */
export const SNS_MAX_ATTRIBUTES = 10;

/** Length of a FIFO `MessageGroupId` or `MessageDeduplicationId`. */
export const SNS_MAX_FIFO_ID_LENGTH = 128;

/**
 * Codes of {@link FailedPublish} entries produced by the publisher itself
 * (the record never reached SNS). Failures reported by SNS carry SNS's own
 * code instead, e.g. `InternalError`, `InvalidParameter`, `ThrottledException`.
 */
export const PublishFailureCodes = {
  /** The serialiser threw, or produced no text. */
  SERIALIZATION: 'SerializationError',
  /** The message would carry more than {@link SNS_MAX_ATTRIBUTES} attributes. */
  TOO_MANY_ATTRIBUTES: 'TooManyAttributes',
  /** An extra attribute has an invalid name, or an attribute function threw. */
  INVALID_ATTRIBUTE: 'InvalidAttribute',
  /** Message plus attributes exceed {@link SNS_MAX_BATCH_BYTES}. */
  MESSAGE_TOO_LARGE: 'MessageTooLarge',
  /** The publish was aborted before SNS confirmed the entry (it may or may not have been published). */
  ABORTED: 'Aborted',
  /** SNS answered without listing the entry as successful or failed (or a custom publisher did not say). */
  NO_RESULT: 'NoResult',
  /** SNS did not answer a PublishBatch request within the publisher's `requestTimeoutMs`. */
  REQUEST_TIMEOUT: 'RequestTimeout',
} as const;

/** One of {@link PublishFailureCodes}. */
export type PublishFailureCode = (typeof PublishFailureCodes)[keyof typeof PublishFailureCodes];

/** What became of one item of a publish call (see `PublishItemResult`). */
export const PublishOutcomes = {
  /** SNS confirmed the message. */
  PUBLISHED: 'published',
  /** Not published; publishing it again later may succeed. */
  FAILED: 'failed',
  /** Message plus attributes exceed {@link SNS_MAX_BATCH_BYTES}: no retry can publish it. */
  TOO_LARGE: 'too-large',
  /** The call was aborted before SNS confirmed the message (it may or may not have been published). */
  ABORTED: 'aborted',
} as const;

/** One of the `PublishOutcomes`: `published`, `failed`, `too-large` or `aborted`. */
export type PublishOutcome = (typeof PublishOutcomes)[keyof typeof PublishOutcomes];
