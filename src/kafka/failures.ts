/**
 * What a Kafka client error means for the work that got it: worth retrying
 * (the broker is restarting, a leader moves, a request timed out) or not
 * (credentials, authorization, a record the broker will never take).
 *
 * Unknown errors count as transient: a primitive that retries them keeps
 * logging them, whereas one that gave up on an error it did not know would
 * turn a broker restart into an outage of its own.
 *
 * @module
 */

/**
 * - `transient`: retry the same request later.
 * - `fatal`: retrying cannot help (authentication, authorization, configuration).
 * - `too-large`: the broker refused the size of a record batch; a smaller batch may pass.
 * - `unknown-topic`: the topic is unknown to the broker; fatal if it really does not exist.
 * - `producer-state`: the broker lost or fenced the idempotent producer's state; a new producer recovers.
 */
export type KafkaFailureKind = 'transient' | 'fatal' | 'too-large' | 'unknown-topic' | 'producer-state';

/** Protocol error types that no retry fixes. */
const FATAL_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'INVALID_RECORD',
  'INVALID_GROUP_ID',
  'INVALID_SESSION_TIMEOUT',
  'INCONSISTENT_GROUP_PROTOCOL',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'SECURITY_DISABLED',
  'POLICY_VIOLATION',
]);

/** KafkaJS error classes that no retry fixes. */
const FATAL_NAMES = new Set([
  'KafkaJSSASLAuthenticationError',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSInvariantViolation',
  'KafkaJSNotImplemented',
]);

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

const PRODUCER_STATE_TYPES = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** TLS set-up failures: a wrong certificate stays wrong. */
const TLS_FAILURE =
  /certificate|self[- ]signed|unable to verify|ERR_TLS_|wrong version number|unknown ca|handshake failure/i;

type Inspected = { name?: unknown; type?: unknown; apiId?: unknown; message?: unknown; code?: unknown };

/** The error and every error it wraps (`cause`, `originalError`, aggregate `errors`). */
function chain(error: unknown): Inspected[] {
  const seen = new Set<unknown>();
  const out: Inspected[] = [];
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null || seen.has(value) || seen.size > 20) return;
    seen.add(value);
    const e = value as Inspected & { cause?: unknown; originalError?: unknown; errors?: unknown };
    out.push(e);
    visit(e.cause);
    visit(e.originalError);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner);
  };
  visit(error);
  return out;
}

/**
 * Classify an error from kafkajs or @platformatic/kafka (the error itself or one it wraps
 * decides): both name the protocol error the same way, kafkajs in `type`, platformatic in `apiId`.
 */
export function classifyKafkaError(error: unknown): KafkaFailureKind {
  const errors = chain(error);
  const types = errors.map((e) => e.type ?? e.apiId).filter((t): t is string => typeof t === 'string');
  if (types.some((t) => FATAL_TYPES.has(t))) return 'fatal';
  if (errors.some((e) => typeof e.name === 'string' && FATAL_NAMES.has(e.name))) return 'fatal';
  if (errors.some((e) => e.code === 'PLT_KFK_AUTHENTICATION')) return 'fatal';
  if (errors.some((e) => typeof e.message === 'string' && TLS_FAILURE.test(e.message))) return 'fatal';
  if (types.some((t) => TOO_LARGE_TYPES.has(t))) return 'too-large';
  if (types.some((t) => PRODUCER_STATE_TYPES.has(t))) return 'producer-state';
  if (types.includes('UNKNOWN_TOPIC_OR_PARTITION')) return 'unknown-topic';
  return 'transient';
}
