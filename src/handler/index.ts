export {
  type BatchResponseVerdict,
  buildKafkaEvent,
  type ConsumedRecord,
  type DecodedKafkaRecord,
  decodeKafkaRecord,
  eventRecordSize,
  eventRecords,
  type KafkaBatchResponse,
  type KafkaEvent,
  type KafkaEventRecord,
  type KafkaItemIdentifier,
  kafkaItemIdentifier,
  parseBatchResponse,
  toEventRecord,
} from './event.ts';
export {
  countPublished,
  METRIC_NAMESPACE,
  METRIC_PUBLISHED,
  recordPublished,
  topicNameOf,
} from './metrics.ts';
