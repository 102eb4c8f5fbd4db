/**
 * opensky-stream: real-time flight-data pipelines, OpenSky Network → Kafka →
 * AWS Lambda → SNS, as composable primitives.
 *
 * @packageDocumentation
 */
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
export { createJsonLogger, type Logger, type LogLevel, silentLogger } from './logger.ts';
export {
  type FlightRecord,
  type RawStateVector,
  STATE_VECTOR_FIELDS,
  type StatesResponse,
  type StateVector,
  type StateVectorField,
  type StateVectorMessage,
} from './transform/types.ts';
