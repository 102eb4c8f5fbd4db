/**
 * opensky-stream: real-time flight-data pipelines, OpenSky Network → Kafka →
 * AWS Lambda → SNS, as composable primitives.
 *
 * This entry holds what pipelines are built with: the sources, the sink, the
 * bridge, the transform, the publisher, the handler, `createPipeline`, their
 * options, defaults and stats, and the errors. The rest by purpose:
 * `opensky-stream/lambda` (what runs in the function), `opensky-stream/deploy`
 * (the AWS resources from code), `opensky-stream/sns` (SNS's limits and
 * naming rules), `opensky-stream/testing` (the local stack and Kafka events
 * for your tests), `opensky-stream/metrics` (Prometheus).
 *
 * @packageDocumentation
 */

export {
  AdsbApiSource,
  type AdsbApiSourceOptions,
  type AdsbApiSourceStats,
  type AdsbProviderName,
  type Circle,
  defaultAdsbApiSourceOptions,
  type PointArea,
} from './adsb/index.ts';
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
} from './batch/index.ts';
export {
  DeadLetterHeaders,
  type FailedRecords,
  type FailureReason,
  LambdaInvoker,
  type LambdaInvokerEvents,
  type LambdaInvokerOptions,
  type LambdaInvokerStats,
  MAX_INVOKE_PAYLOAD_BYTES,
  type OnFailureDestination,
  type StartingPosition,
} from './bridge/index.ts';
export { countryOfIcao24 } from './domain/country.ts';
export {
  type FlightRecord,
  type RawStateVector,
  STATE_VECTOR_FIELDS,
  type StatesResponse,
  type StateVector,
  type StateVectorField,
  type StateVectorMessage,
} from './domain/types.ts';
export {
  AbortError,
  AuthError,
  ConfigError,
  type ErrorCode,
  ErrorCodes,
  FullBatchFailureError,
  hasErrorCode,
  isOpenSkyStreamError,
  KafkaError,
  LambdaInvokeError,
  OpenSkyHttpError,
  OpenSkyStreamError,
  type OpenSkyStreamErrorOptions,
  SnsPublishError,
  ValidationError,
} from './errors.ts';
export {
  createFlightHandler,
  type FlightHandlerContext,
  type FlightHandlerOptions,
  type FlightHandlerResult,
  type FlightHandlerSummary,
} from './handler/handler.ts';
export type {
  ConsumedRecord,
  KafkaBatchResponse,
  KafkaEvent,
  KafkaEventRecord,
} from './handler/index.ts';
export {
  createKafkaClient,
  defaultKafkaSinkOptions,
  type EnsureTopicOptions,
  ensureTopic,
  type KafkaConnectionOptions,
  type KafkaLike,
  type KafkaSaslOptions,
  KafkaSink,
  type KafkaSinkCloseReport,
  type KafkaSinkEvents,
  type KafkaSinkOptions,
  type KafkaSinkStats,
  kafkaConfigFromEnv,
  SinkHeaders,
} from './kafka/index.ts';
export { createJsonLogger, type Logger, type LogLevel, silentLogger } from './logger.ts';
export {
  type BoundingBox,
  type CreditTier,
  CreditTiers,
  creditCost,
  loadOpenSkyCredentials,
  OPENSKY_TOKEN_URL,
  type OpenSkyCredentials,
  OpenSkySource,
  type OpenSkySourceOptions,
  type OpenSkySourceStats,
  type ReplayOptions,
  type ReplayStats,
  recordingLine,
  replaySnapshots,
  type Snapshot,
  TokenProvider,
  validateBoundingBox,
} from './opensky/index.ts';
export {
  type BridgePipelineOptions,
  createPipeline,
  type InProcessPipelineOptions,
  type Pipeline,
  type PipelineEvents,
  type PipelineOptions,
  type PipelineParts,
  type PipelineStats,
  type ProducePipelineOptions,
  type SnapshotSource,
} from './pipeline/index.ts';
export {
  defaultReadsbSourceOptions,
  ReadsbSource,
  type ReadsbSourceOptions,
  type ReadsbSourceStats,
  type RetryOptions,
} from './readsb/index.ts';
export {
  type AttributeInput,
  type AttributeMapping,
  createSnsClient,
  defaultSnsPublisherOptions,
  type ExtraAttributes,
  type FailedPublish,
  type PublishFailureCode,
  PublishFailureCodes,
  type PublishItem,
  type PublishItemResult,
  type PublishOptions,
  type PublishResult,
  type SnsClientOptions,
  SnsPublisher,
  type SnsPublisherOptions,
  type SnsPublisherStats,
} from './sns/index.ts';
export {
  type CandidateHealthStats,
  type CandidatePoller,
  type CandidateStats,
  defaultFailoverSourceOptions,
  defaultStandbySourceOptions,
  type FailoverCandidate,
  FailoverSource,
  type FailoverSourceEvents,
  type FailoverSourceOptions,
  type FailoverSourceStats,
  type FailoverSwitch,
  type SourcedSnapshot,
  type StandbyRole,
  StandbySource,
  type StandbySourceEvents,
  type StandbySourceOptions,
  type StandbySourceStats,
  type SwitchReason,
} from './sources/index.ts';
export {
  type RawStatesBody,
  type SyntheticOptions,
  syntheticSnapshots,
} from './synthetic/index.ts';
export {
  childTraceparent,
  formatTraceparent,
  newTraceparent,
  parseTraceparent,
  TRACEPARENT,
  type TraceContext,
} from './tracing/index.ts';
export {
  type Checked,
  checkStateVector,
  type InvalidReason,
  type ParsedStates,
  parseStatesResponse,
  type SkippedRow,
  stateVectorFromArray,
  type TransformResult,
  toStateVectorMessage,
  transformStateVector,
  tryTransformStateVector,
} from './transform/index.ts';
