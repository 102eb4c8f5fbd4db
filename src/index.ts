/**
 * opensky-stream: real-time flight-data pipelines, OpenSky Network → Kafka →
 * AWS Lambda → SNS, as composable primitives.
 *
 * @packageDocumentation
 */

export {
  type DeployOptions,
  type DeployResult,
  deployPipelineResources,
  functionPolicy,
  LAMBDA_HANDLER,
  LAMBDA_TRUST_POLICY,
  lambdaPackage,
  zipPackage,
} from './deploy/index.ts';
export {
  AbortError,
  AuthError,
  ConfigError,
  type ErrorCode,
  ErrorCodes,
  hasErrorCode,
  isOpenSkyStreamError,
  KafkaError,
  LambdaInvokeError,
  OpenSkyHttpError,
  OpenSkyStreamError,
  type OpenSkyStreamErrorOptions,
  RateLimitError,
  SnsPublishError,
  ValidationError,
} from './errors.ts';
export {
  createKafkaClient,
  type EnsureTopicOptions,
  ensureTopic,
  type KafkaConnectionOptions,
  type KafkaLike,
  type KafkaSaslOptions,
  KafkaSink,
  type KafkaSinkOptions,
  type KafkaSinkStats,
  kafkaConfigFromEnv,
  SinkHeaders,
  snapshotMessages,
} from './kafka/index.ts';
export {
  createFlightHandler,
  type FlightHandlerOptions,
  type FlightHandlerResult,
  type FlightHandlerSummary,
} from './lambda/handler.ts';
export {
  buildKafkaEvent,
  type ConsumedRecord,
  DeadLetterHeaders,
  type DecodedKafkaRecord,
  decodeKafkaRecord,
  eventRecordSize,
  eventRecords,
  firstFailedOffset,
  type KafkaBatchResponse,
  type KafkaEvent,
  type KafkaEventRecord,
  LambdaInvoker,
  type LambdaInvokerEvents,
  type LambdaInvokerOptions,
  type LambdaInvokerStats,
  MAX_INVOKE_PAYLOAD_BYTES,
  splitBatches,
  toEventRecord,
} from './lambda/index.ts';
export { createJsonLogger, type Logger, type LogLevel, silentLogger } from './logger.ts';
export {
  type BoundingBox,
  boxArea,
  budgetLastsMs,
  type CreditTier,
  CreditTiers,
  creditCost,
  loadOpenSkyCredentials,
  OPENSKY_TOKEN_URL,
  type OpenSkyCredentials,
  OpenSkySource,
  type OpenSkySourceOptions,
  type OpenSkySourceStats,
  pacedIntervalMs,
  periodRemainingMs,
  type ReplayOptions,
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
  type PipelineStats,
  type ProducePipelineOptions,
  type SnapshotSource,
} from './pipeline/index.ts';
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
} from './sns/index.ts';
export {
  generateSnapshot,
  generateTraffic,
  type RawStatesBody,
  type SyntheticOptions,
} from './synthetic/index.ts';
export {
  altitudeMetres,
  type Checked,
  checkStateVector,
  checkStateVectorArray,
  type InvalidReason,
  type ParsedStates,
  parseStatesResponse,
  type SkippedRow,
  stateVectorFromArray,
  stateVectorToArray,
  type TransformResult,
  toIsoSeconds,
  toStateVectorMessage,
  transformStateVector,
  tryTransformStateVector,
} from './transform/index.ts';
export {
  type FlightRecord,
  type RawStateVector,
  STATE_VECTOR_FIELDS,
  type StatesResponse,
  type StateVector,
  type StateVectorField,
  type StateVectorMessage,
} from './transform/types.ts';
