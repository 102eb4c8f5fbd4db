/**
 * Publishing processed records to Amazon SNS.
 *
 * @module
 */
export {
  type AttributeInput,
  type AttributeMapping,
  cleanStringValue,
  inferAttributeType,
  isValidAttributeName,
  recordAttributes,
  SNS_ATTRIBUTE_TYPES,
  type SnsAttributeType,
  toAttributeValue,
} from './attributes.ts';
export { type BatchLimits, entrySize, packBatches } from './batch.ts';
export { classifyError, type ErrorClass, isRetryableEntryFailure } from './classify.ts';
export { createSnsClient, type SnsClientOptions } from './client.ts';
export {
  type PublishFailureCode,
  PublishFailureCodes,
  type PublishOutcome,
  PublishOutcomes,
  SNS_MAX_ATTRIBUTES,
  SNS_MAX_BATCH_BYTES,
  SNS_MAX_BATCH_ENTRIES,
  SNS_MAX_FIFO_ID_LENGTH,
} from './constants.ts';
export { defaultDeduplicationId, defaultGroupId, isValidFifoId, toFifoId } from './fifo.ts';
export {
  defaultSnsPublisherOptions,
  type ResolvedSnsPublisherOptions,
  resolveSnsPublisherOptions,
  type SnsPublisherOptions,
} from './options.ts';
export { SnsPublisher } from './publisher.ts';
export {
  isFifoTopic,
  isTopicArn,
  isValidTopicName,
  type ResolveTopicOptions,
  resolveTopicArn,
} from './topic.ts';
export type {
  ExtraAttributes,
  FailedPublish,
  PublishItem,
  PublishItemResult,
  PublishOptions,
  PublishResult,
  SnsPublisherStats,
} from './types.ts';
