/**
 * One error base class for the whole library. Every error has a stable
 * `code` and a `retryable` flag; guards work across realms and bundles
 * without `instanceof`.
 *
 * @module
 */

/** Stable error codes. Match on these, never on messages. */
export const ErrorCodes = {
  /** Options passed to a primitive are invalid (names the option path). */
  CONFIG: 'OSS_CONFIG',
  /** A state vector or response that does not match OpenSky's schema. */
  VALIDATION: 'OSS_VALIDATION',
  /** The OpenSky API answered with an error status, timed out or was unreachable. */
  OPENSKY_HTTP: 'OSS_OPENSKY_HTTP',
  /** OAuth2 token request failed. */
  AUTH: 'OSS_AUTH',
  /** Kafka produce / consume / admin failure. */
  KAFKA: 'OSS_KAFKA',
  /** Lambda Invoke failed or the function returned an error. */
  LAMBDA: 'OSS_LAMBDA',
  /** SNS Publish / PublishBatch failure. */
  SNS: 'OSS_SNS',
  /** Sending a record of discarded records to an on-failure destination (SQS, SNS) failed. */
  DESTINATION: 'OSS_DESTINATION',
  /** Every record of a batch failed; `details.failures` lists why, per record. */
  BATCH: 'OSS_BATCH',
  /** The operation was aborted through an AbortSignal or `stop()`. */
  ABORTED: 'OSS_ABORTED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface OpenSkyStreamErrorOptions {
  cause?: unknown;
  /** Whether retrying the same operation may succeed. Defaults to `false`. */
  retryable?: boolean;
  /** Extra structured context for logs (never secrets). */
  details?: Record<string, unknown>;
}

const brand = Symbol.for('opensky-stream.error');

/** Base class of every error this library throws. */
export class OpenSkyStreamError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenSkyStreamError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** Invalid options; `path` names the offending option, e.g. `/options/intervalMs`. */
export class ConfigError extends OpenSkyStreamError {
  readonly path: string;
  constructor(path: string, message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.CONFIG, `${path} ${message}`, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** Input that does not match OpenSky's schema. `reason` is a short countable key. */
export class ValidationError extends OpenSkyStreamError {
  readonly reason: string;
  constructor(reason: string, message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.VALIDATION, message, options);
    this.name = 'ValidationError';
    this.reason = reason;
  }
}

export class OpenSkyHttpError extends OpenSkyStreamError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.OPENSKY_HTTP, message, options);
    this.name = 'OpenSkyHttpError';
    this.status = status;
  }
}

export class AuthError extends OpenSkyStreamError {
  constructor(message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.AUTH, message, options);
    this.name = 'AuthError';
  }
}

export class KafkaError extends OpenSkyStreamError {
  constructor(message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.KAFKA, message, options);
    this.name = 'KafkaError';
  }
}

export class LambdaInvokeError extends OpenSkyStreamError {
  /** `Handled` / `Unhandled` when the function itself failed. */
  readonly functionError: string | undefined;
  constructor(message: string, functionError: string | undefined, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.LAMBDA, message, options);
    this.name = 'LambdaInvokeError';
    this.functionError = functionError;
  }
}

export class SnsPublishError extends OpenSkyStreamError {
  constructor(message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.SNS, message, options);
    this.name = 'SnsPublishError';
  }
}

/**
 * Every record of a batch failed: the Lambda handler throws it rather than
 * answer with a partial-batch response listing them all, so the invocation
 * fails (and is retried, or bisected, as a function error). Retryable;
 * `details.failures` holds each record's reason.
 */
export class FullBatchFailureError extends OpenSkyStreamError {
  constructor(message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.BATCH, message, { retryable: true, ...options });
    this.name = 'FullBatchFailureError';
  }
}

export class AbortError extends OpenSkyStreamError {
  constructor(message = 'The operation was aborted', options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.ABORTED, message, options);
    this.name = 'AbortError';
  }
}

/** True for any error thrown by this library, even from another copy of it. */
export function isOpenSkyStreamError(value: unknown): value is OpenSkyStreamError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** True when `value` is a library error with the given code. */
export function hasErrorCode<C extends ErrorCode>(
  value: unknown,
  code: C,
): value is OpenSkyStreamError & { code: C } {
  return isOpenSkyStreamError(value) && value.code === code;
}
