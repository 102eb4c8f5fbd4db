/**
 * `opensky-stream/lambda`: what runs inside the Lambda function and nothing
 * else — the handler, the batch core, the transform and the Kafka event codec.
 * No kafkajs, no IAM, no yargs: a handler that imports this entry bundles
 * small (the entries test checks the bundle's inputs).
 *
 * ```ts
 * import { createFlightHandler } from 'opensky-stream/lambda';
 * export const handler = createFlightHandler();
 * ```
 *
 * @module
 */
export {
  type BatchItem,
  type BatchSummary,
  type FlightBatchOptions,
  type FlightBatchResult,
  processFlightBatch,
  type RecordOutcome,
  RecordOutcomes,
  type RecordResult,
} from '../batch/processor.ts';
export type { FlightRecord, StateVector } from '../domain/types.ts';
export { FullBatchFailureError, isOpenSkyStreamError, ValidationError } from '../errors.ts';
export {
  type DecodedKafkaRecord,
  decodeKafkaRecord,
  eventRecords,
  type KafkaBatchResponse,
  type KafkaEvent,
  type KafkaEventRecord,
  type KafkaItemIdentifier,
  kafkaItemIdentifier,
} from '../handler/event.ts';
export {
  createFlightHandler,
  type FlightHandlerContext,
  type FlightHandlerOptions,
  type FlightHandlerResult,
  type FlightHandlerSummary,
} from '../handler/handler.ts';
export { createJsonLogger, type Logger, type LogLevel } from '../logger.ts';
export type { SnsPublisherOptions } from '../sns/options.ts';
export { SnsPublisher } from '../sns/publisher.ts';
export {
  parseStatesResponse,
  stateVectorFromArray,
  type TransformResult,
  transformStateVector,
  tryTransformStateVector,
} from '../transform/index.ts';
