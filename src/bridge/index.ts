/**
 * The bridge: runs next to Kafka, consumes a topic and invokes a Lambda function
 * with the event AWS's self-managed Kafka event source mapping sends.
 * What runs inside the function is in ../lambda.
 *
 * @module
 */
export {
  DEFAULT_BATCH_SIZE,
  DeadLetterHeaders,
  type FailedRecords,
  type FailureReason,
  LambdaInvoker,
  type LambdaInvokerEvents,
  type LambdaInvokerOptions,
  type LambdaInvokerStats,
  MAX_INVOKE_PAYLOAD_BYTES,
  type OnFailureDestination,
  ProcessingResult,
  splitBatches,
} from './invoker.ts';
export type { StartingPosition } from './options.ts';
