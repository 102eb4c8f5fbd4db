/**
 * `opensky-stream/sns`: the rules of Amazon SNS that `SnsPublisher` (from
 * `opensky-stream`) applies, for checking your own input before it reaches
 * the publisher: topic names and ARNs, message attribute names and types,
 * the batch and attribute limits, and the FIFO message group id it sends by
 * default.
 *
 * ```ts
 * import { isValidTopicName, SNS_MAX_BATCH_BYTES } from 'opensky-stream/sns';
 * ```
 *
 * @module
 */
export { isValidAttributeName, SNS_ATTRIBUTE_TYPES, type SnsAttributeType } from '../sns/attributes.ts';
export {
  SNS_MAX_ATTRIBUTES,
  SNS_MAX_BATCH_BYTES,
  SNS_MAX_BATCH_ENTRIES,
  SNS_MAX_FIFO_ID_LENGTH,
} from '../sns/constants.ts';
export { defaultGroupId } from '../sns/fifo.ts';
export { isFifoTopic, isTopicArn, isValidTopicName } from '../sns/topic.ts';
