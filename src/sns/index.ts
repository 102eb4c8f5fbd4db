export {
  type AttributeMapping,
  entrySize,
  type FailedPublish,
  type PublishResult,
  packBatches,
  recordAttributes,
  SNS_MAX_BATCH_BYTES,
  SNS_MAX_BATCH_ENTRIES,
  type SnsAttributeType,
  SnsPublisher,
  type SnsPublisherOptions,
  type SnsPublisherStats,
} from './publisher.ts';
