export {
  type BatchItem,
  type BatchSummary,
  type FlightBatchOptions,
  type FlightBatchResult,
  processFlightBatch,
  type RecordOutcome,
  RecordOutcomes,
  type RecordResult,
  TOO_LARGE,
  TRANSFORM_ERROR,
} from './processor.ts';
