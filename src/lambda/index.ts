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
  parseBatchResponse,
  toEventRecord,
} from './event.ts';
export {
  DeadLetterHeaders,
  LambdaInvoker,
  type LambdaInvokerEvents,
  type LambdaInvokerOptions,
  type LambdaInvokerStats,
  MAX_INVOKE_PAYLOAD_BYTES,
  splitBatches,
} from './invoker.ts';
export {
  countPublished,
  METRIC_NAMESPACE,
  METRIC_PUBLISHED,
  recordPublished,
  topicNameOf,
} from './metrics.ts';
