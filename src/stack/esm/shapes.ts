/**
 * The event source mapping as the local stack keeps it, and as Lambda's API
 * (2015-03-31) returns it: an `EventSourceMappingConfiguration` for a
 * self-managed Apache Kafka source. Field names are AWS's; a stored mapping
 * is the configuration itself plus the few things only the stack needs.
 */

/** States of an event source mapping, as Lambda names them. */
export type EsmState =
  | 'Creating'
  | 'Enabling'
  | 'Enabled'
  | 'Disabling'
  | 'Disabled'
  | 'Updating'
  | 'Deleting';

/** Where a new consumer group starts. */
export type StartingPosition = 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';

/** One `SourceAccessConfigurations` entry. */
export interface SourceAccessConfiguration {
  Type: string;
  URI?: string;
}

/** `EventSourceMappingConfiguration` of a self-managed Kafka mapping: what Get/List/Create/Update/Delete answer. */
export interface EsmConfiguration {
  UUID: string;
  EventSourceMappingArn: string;
  FunctionArn: string;
  State: EsmState;
  StateTransitionReason: string;
  /** Epoch seconds (the REST-JSON timestamp format). */
  LastModified: number;
  LastProcessingResult: string;
  BatchSize: number;
  /** Absent: Kafka's default window of 500 ms, which the integer field cannot express. */
  MaximumBatchingWindowInSeconds?: number;
  StartingPosition: StartingPosition;
  /** Epoch seconds; with `AT_TIMESTAMP` only. */
  StartingPositionTimestamp?: number;
  Topics: [string];
  SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: string[] } };
  SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: string };
  SourceAccessConfigurations?: SourceAccessConfiguration[];
  FunctionResponseTypes?: string[];
  MaximumRetryAttempts: number;
  MaximumRecordAgeInSeconds: number;
  BisectBatchOnFunctionError: boolean;
  DestinationConfig?: { OnFailure: { Destination: string } };
  FilterCriteria?: { Filters: Array<{ Pattern: string }> };
  ProvisionedPollerConfig?: { MinimumPollers?: number; MaximumPollers?: number };
  MetricsConfig?: { Metrics: string[] };
}

/** A mapping as stored in the run directory. */
export interface StoredMapping {
  configuration: EsmConfiguration;
  /** The function's name without qualifier: what the router's registry is keyed by. */
  functionName: string;
  /** What the user asked for (`Enabled`); `State` follows it once the worker has moved. */
  enabled: boolean;
  /** Tags given at creation (not part of the configuration AWS returns). */
  tags?: Record<string, string>;
}

/** An answer of Lambda's API other than success: HTTP status, `x-amzn-ErrorType` and message. */
export class EsmApiError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.name = 'EsmApiError';
    this.status = status;
    this.type = type;
  }
}

/** 400 InvalidParameterValueException. */
export const invalidParameter = (message: string) =>
  new EsmApiError(400, 'InvalidParameterValueException', message);

/**
 * The error body Lambda sends for `type`. Lambda's model names the message
 * field `Message` for some exceptions (ResourceNotFoundException,
 * ResourceInUseException, ServiceException) and `message` for others
 * (InvalidParameterValueException, ResourceConflictException).
 */
export function errorBody(type: string, message: string): string {
  const capitalized = ['ResourceNotFoundException', 'ResourceInUseException', 'ServiceException'];
  return JSON.stringify({ Type: 'User', [capitalized.includes(type) ? 'Message' : 'message']: message });
}

/** AWS's default `BatchSize` for self-managed Kafka. */
export const DEFAULT_BATCH_SIZE = 100;
/** AWS's default retries (`-1`: until the record expires) and record age (`-1`: no limit). */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = -1;
export const DEFAULT_MAXIMUM_RECORD_AGE = -1;
/** With an on-failure destination and no `MaximumRetryAttempts`, AWS caps the retries at 10. */
export const RETRIES_WITH_DESTINATION = 10;
/** Kafka's default batching window when `MaximumBatchingWindowInSeconds` is absent, ms. */
export const DEFAULT_BATCHING_WINDOW_MS = 500;
/** `LastProcessingResult` of a mapping that has not invoked yet. */
export const NO_RECORDS_PROCESSED = 'No records processed';
/** `StateTransitionReason` of a change the user asked for. */
export const USER_INITIATED = 'USER_INITIATED';

/** The ARN of a mapping: `arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>`. */
export const mappingArn = (region: string, accountId: string, uuid: string) =>
  `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${uuid}`;

/** The configuration Lambda returns for a stored mapping (a copy: callers may not change the store). */
export function toConfiguration(mapping: StoredMapping): EsmConfiguration {
  return structuredClone(mapping.configuration);
}

/** The Kafka topic a `kafka://topic` on-failure destination names, if it is one. */
export function kafkaDestinationTopic(destination: string | undefined): string | undefined {
  return destination?.startsWith('kafka://') ? destination.slice('kafka://'.length) : undefined;
}
