/**
 * CreateEventSourceMapping / UpdateEventSourceMapping requests for a
 * self-managed Kafka source: checked as Lambda checks them and turned into a
 * stored mapping. Pure: no I/O, the caller resolves the function.
 *
 * Two kinds of refusal, as Lambda answers them: a value outside the API
 * model's constraints (range, length, pattern) is a `ValidationException`
 * ("1 validation error detected: …"); a value the model allows but the
 * mapping cannot use is an `InvalidParameterValueException`.
 */
import { compileFilterCriteria } from '../../bridge/filter-criteria.ts';
import { type FunctionRef, parseFunctionRef } from '../endpoint/protocol.ts';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAXIMUM_RECORD_AGE,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  EsmApiError,
  type EsmConfiguration,
  invalidParameter,
  kafkaDestinationTopic,
  mappingArn,
  NO_RECORDS_PROCESSED,
  type SourceAccessConfiguration,
  type StoredMapping,
  USER_INITIATED,
} from './shapes.ts';

type Body = Record<string, unknown>;

/** `1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …`, as AWS words it. */
function constraint(field: string, value: unknown, rule: string): EsmApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new EsmApiError(
    400,
    'ValidationException',
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

const camel = (name: string) => name[0]!.toLowerCase() + name.slice(1);

function integerIn(body: Body, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalidParameter(`${name} must be an integer, got ${JSON.stringify(value)}`);
  if (value < min)
    throw constraint(camel(name), value, `Member must have value greater than or equal to ${min}`);
  if (value > max)
    throw constraint(camel(name), value, `Member must have value less than or equal to ${max}`);
  return value;
}

/** -1 (no limit) or an integer in [min, max]: AWS's shape for retries and record age. */
function limitOrInfinite(body: Body, name: string, min: number, max: number): number | undefined {
  const value = integerIn(body, name, -1, max);
  if (value !== undefined && value !== -1 && value < min)
    throw invalidParameter(`${name} must be -1 (no limit) or between ${min} and ${max}, got ${value}`);
  return value;
}

function booleanOf(body: Body, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`${name} must be a boolean`);
  return value;
}

function objectOf(body: Body, name: string): Body | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${name} must be an object`);
  return value as Body;
}

/** Bootstrap servers as the API's pattern allows them: `host:port`. */
const BOOTSTRAP_SERVER =
  /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]):[0-9]{1,5}$/;
/** A Kafka topic name as Lambda's `Topics` pattern allows it. */
const TOPIC = /^[^.]([a-zA-Z0-9\-_.]+)$/;
const CONSUMER_GROUP = /^[a-zA-Z0-9-/*:_+=.@-]*$/;

function bootstrapServers(body: Body): string[] {
  const source = objectOf(body, 'SelfManagedEventSource');
  const endpoints = source && (objectOf(source, 'Endpoints') ?? {});
  const keys = Object.keys(endpoints ?? {});
  if (!endpoints || keys.length === 0)
    throw invalidParameter('SelfManagedEventSource.Endpoints must give KAFKA_BOOTSTRAP_SERVERS');
  const unknown = keys.find((key) => key !== 'KAFKA_BOOTSTRAP_SERVERS');
  if (unknown) throw invalidParameter(`Unsupported endpoint type: ${unknown}`);
  const servers = endpoints.KAFKA_BOOTSTRAP_SERVERS;
  if (!Array.isArray(servers) || servers.length < 1 || servers.length > 10)
    throw invalidParameter('KAFKA_BOOTSTRAP_SERVERS must list 1 to 10 brokers');
  for (const server of servers) {
    if (typeof server !== 'string' || server.length > 300 || !BOOTSTRAP_SERVER.test(server))
      throw constraint('selfManagedEventSource.endpoints', server, 'Member must be host:port');
  }
  return servers as string[];
}

function topicOf(body: Body): string {
  const topics = body.Topics;
  if (!Array.isArray(topics) || topics.length !== 1)
    throw invalidParameter('Topics must name exactly one Kafka topic');
  const topic = topics[0];
  if (typeof topic !== 'string' || topic.length < 1 || topic.length > 249 || !TOPIC.test(topic))
    throw constraint('topics', topic, `Member must satisfy regular expression pattern: ${TOPIC.source}`);
  return topic;
}

function startingPosition(
  body: Body,
  now: number,
): Pick<EsmConfiguration, 'StartingPosition' | 'StartingPositionTimestamp'> {
  const position = body.StartingPosition ?? 'TRIM_HORIZON';
  if (position !== 'LATEST' && position !== 'TRIM_HORIZON' && position !== 'AT_TIMESTAMP')
    throw constraint(
      'startingPosition',
      position,
      'Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]',
    );
  const timestamp = body.StartingPositionTimestamp;
  if (position !== 'AT_TIMESTAMP') {
    if (timestamp !== undefined && timestamp !== null)
      throw invalidParameter('StartingPositionTimestamp is only allowed with StartingPosition AT_TIMESTAMP');
    return { StartingPosition: position };
  }
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp))
    throw invalidParameter('StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP');
  if (timestamp * 1000 > now) throw invalidParameter('StartingPositionTimestamp cannot be in the future');
  return { StartingPosition: position, StartingPositionTimestamp: timestamp };
}

function functionResponseTypes(body: Body): string[] | undefined {
  const value = body.FunctionResponseTypes;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 1 || value.some((v) => v !== 'ReportBatchItemFailures'))
    throw constraint(
      'functionResponseTypes',
      value,
      'Member must satisfy enum value set: [ReportBatchItemFailures]',
    );
  return value as string[];
}

/** `kafka://topic` (a dead-letter topic on the same cluster), or an SQS queue / SNS topic ARN. */
function destinationConfig(
  body: Body,
  sourceTopic: string,
): EsmConfiguration['DestinationConfig'] | null | undefined {
  const config = objectOf(body, 'DestinationConfig');
  if (!config) return undefined;
  if (config.OnSuccess !== undefined && config.OnSuccess !== null)
    throw invalidParameter('OnSuccess destinations are not supported for event source mappings');
  const onFailure = objectOf(config, 'OnFailure');
  const destination = onFailure?.Destination;
  if (destination === undefined || destination === null || destination === '') return null;
  if (typeof destination !== 'string' || destination.length > 350)
    throw invalidParameter(
      'DestinationConfig.OnFailure.Destination must be a string of at most 350 characters',
    );
  const topic = kafkaDestinationTopic(destination);
  if (topic !== undefined) {
    if (!TOPIC.test(topic))
      throw invalidParameter(`Invalid Kafka topic in on-failure destination: ${destination}`);
    // AWS refuses a destination that would feed failed records back into the mapping.
    if (topic === sourceTopic)
      throw invalidParameter('The on-failure destination topic must differ from the source topic');
  } else if (/^arn:aws[a-zA-Z-]*:s3:/.test(destination)) {
    throw invalidParameter(
      'S3 on-failure destinations are not supported by the local stack; use an SQS queue, an SNS topic or kafka://<topic>',
    );
  } else if (!/^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:.+$/.test(destination)) {
    throw invalidParameter(`Unsupported on-failure destination: ${destination}`);
  }
  return { OnFailure: { Destination: destination } };
}

function filterCriteria(body: Body): EsmConfiguration['FilterCriteria'] | null | undefined {
  const criteria = objectOf(body, 'FilterCriteria');
  if (!criteria) return undefined;
  const filters = criteria.Filters ?? [];
  if (!Array.isArray(filters)) throw invalidParameter('FilterCriteria.Filters must be a list');
  if (filters.length === 0) return null;
  if (filters.length > 5) throw invalidParameter('FilterCriteria allows at most 5 filters');
  const result = {
    Filters: filters.map((filter, i) => {
      const pattern = (filter as { Pattern?: unknown } | null)?.Pattern;
      if (typeof pattern !== 'string' || pattern.length > 4096)
        throw invalidParameter(
          `FilterCriteria.Filters[${i}].Pattern must be a string of at most 4096 characters`,
        );
      let parsed: unknown;
      try {
        parsed = JSON.parse(pattern);
      } catch {
        throw invalidParameter(`Invalid filter pattern definition: ${pattern}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw invalidParameter(`Invalid filter pattern definition: ${pattern}`);
      return { Pattern: pattern };
    }),
  };
  // The rules themselves, as the poller will apply them (AWS's filter syntax): a bad one is refused now.
  try {
    compileFilterCriteria(result);
  } catch (error) {
    throw invalidParameter(`Invalid filter pattern definition: ${(error as Error).message}`);
  }
  return result;
}

function pollerConfig(body: Body): EsmConfiguration['ProvisionedPollerConfig'] | undefined {
  const config = objectOf(body, 'ProvisionedPollerConfig');
  if (!config) return undefined;
  const min = integerIn(config, 'MinimumPollers', 1, 200);
  const max = integerIn(config, 'MaximumPollers', 1, 2000);
  if ((min ?? 1) > (max ?? 200))
    throw invalidParameter('ProvisionedPollerConfig.MinimumPollers must not exceed MaximumPollers');
  return {
    ...(min === undefined ? {} : { MinimumPollers: min }),
    ...(max === undefined ? {} : { MaximumPollers: max }),
  };
}

/** What src/kafka/client.ts can connect with (secrets resolved by the worker); VPC settings mean nothing here. */
const SUPPORTED_ACCESS = new Set([
  'BASIC_AUTH',
  'SASL_SCRAM_256_AUTH',
  'SASL_SCRAM_512_AUTH',
  'SERVER_ROOT_CA_CERTIFICATE',
  'CLIENT_CERTIFICATE_TLS_AUTH',
  'VPC_SUBNET',
  'VPC_SECURITY_GROUP',
]);
const SASL_TYPES = [
  'BASIC_AUTH',
  'SASL_SCRAM_256_AUTH',
  'SASL_SCRAM_512_AUTH',
  'CLIENT_CERTIFICATE_TLS_AUTH',
];

function sourceAccess(body: Body): SourceAccessConfiguration[] | undefined {
  const value = body.SourceAccessConfigurations;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 22)
    throw invalidParameter('SourceAccessConfigurations must be a list of at most 22 entries');
  const entries = value.map((entry) => {
    const { Type: type, URI: uri } = (entry ?? {}) as { Type?: unknown; URI?: unknown };
    if (typeof type !== 'string') throw invalidParameter('SourceAccessConfigurations entries need a Type');
    if (!SUPPORTED_ACCESS.has(type))
      throw invalidParameter(
        `SourceAccessConfigurations Type ${type} is not supported by the local stack (supported: ${[...SUPPORTED_ACCESS].join(', ')})`,
      );
    if (typeof uri !== 'string' || uri === '')
      throw invalidParameter(`SourceAccessConfigurations ${type} needs a URI`);
    if (!type.startsWith('VPC_') && !/^arn:aws[a-zA-Z-]*:secretsmanager:/.test(uri))
      throw invalidParameter(`SourceAccessConfigurations ${type} must name a Secrets Manager secret ARN`);
    return { Type: type, URI: uri };
  });
  if (entries.filter((entry) => SASL_TYPES.includes(entry.Type)).length > 1)
    throw invalidParameter('SourceAccessConfigurations may name one authentication method only');
  return entries;
}

function metricsConfig(body: Body): EsmConfiguration['MetricsConfig'] | undefined {
  const config = objectOf(body, 'MetricsConfig');
  if (!config) return undefined;
  const metrics = config.Metrics ?? [];
  const allowed = ['EventCount', 'ErrorCount', 'KafkaMetrics'];
  if (!Array.isArray(metrics) || metrics.length > 3 || metrics.some((m) => !allowed.includes(m as string)))
    throw constraint(
      'metricsConfig.metrics',
      metrics,
      `Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  return { Metrics: metrics as string[] };
}

function consumerGroupId(body: Body): string | undefined {
  const config = objectOf(body, 'SelfManagedKafkaEventSourceConfig');
  if (!config) return undefined;
  if (config.SchemaRegistryConfig !== undefined && config.SchemaRegistryConfig !== null)
    throw invalidParameter('SchemaRegistryConfig is not supported by the local stack');
  if (
    config.ConsumptionMode !== undefined &&
    config.ConsumptionMode !== null &&
    config.ConsumptionMode !== 'Stream'
  )
    throw invalidParameter(
      `ConsumptionMode ${String(config.ConsumptionMode)} is not supported by the local stack (Queue mode needs Kafka share groups, Kafka 4.2 or later)`,
    );
  const id = config.ConsumerGroupId;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string' || id.length < 1 || id.length > 200 || !CONSUMER_GROUP.test(id))
    throw constraint(
      'selfManagedKafkaEventSourceConfig.consumerGroupId',
      id,
      'Member must have length between 1 and 200',
    );
  return id;
}

/** Parameters that exist in the API but not for a Kafka source: refused, as AWS refuses them. */
const NOT_FOR_KAFKA = [
  'ParallelizationFactor',
  'TumblingWindowInSeconds',
  'Queues',
  'ScalingConfig',
  'DocumentDBEventSourceConfig',
  'AmazonManagedKafkaEventSourceConfig',
];

function refuseOthers(body: Body): void {
  for (const name of NOT_FOR_KAFKA) {
    if (body[name] !== undefined && body[name] !== null)
      throw invalidParameter(`${name} is not supported for self-managed Apache Kafka event sources`);
  }
}

function functionRefOf(body: Body, required: boolean): FunctionRef | undefined {
  const name = body.FunctionName;
  if (name === undefined || name === null) {
    if (required) throw invalidParameter('FunctionName is required');
    return undefined;
  }
  if (typeof name !== 'string' || name.length < 1 || name.length > 140)
    throw constraint('functionName', name, 'Member must have length between 1 and 140');
  return parseFunctionRef(encodeURIComponent(name));
}

/** Where a mapping is created: its identity and the clock. */
export interface CreateContext {
  uuid: string;
  region: string;
  accountId: string;
  /** ms since epoch. */
  now: number;
}

/**
 * A CreateEventSourceMapping request → the mapping to store (state `Creating`)
 * and the function it names; `FunctionArn` is left for the caller to resolve.
 */
export function mappingFromCreate(
  raw: unknown,
  context: CreateContext,
): { mapping: StoredMapping; function: FunctionRef } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalidParameter('The request body must be a JSON object');
  const body = raw as Body;
  const ref = functionRefOf(body, true)!;
  refuseOthers(body);
  const topic = topicOf(body);
  const servers = bootstrapServers(body);
  const destination = destinationConfig(body, topic);
  const filters = filterCriteria(body);
  const access = sourceAccess(body);
  const responseTypes = functionResponseTypes(body);
  const pollers = pollerConfig(body);
  const metrics = metricsConfig(body);
  const window = integerIn(body, 'MaximumBatchingWindowInSeconds', 0, 300);
  const enabled = booleanOf(body, 'Enabled') ?? true;
  const configuration: EsmConfiguration = {
    UUID: context.uuid,
    EventSourceMappingArn: mappingArn(context.region, context.accountId, context.uuid),
    FunctionArn: '',
    State: 'Creating',
    StateTransitionReason: USER_INITIATED,
    LastModified: context.now / 1000,
    LastProcessingResult: NO_RECORDS_PROCESSED,
    BatchSize: integerIn(body, 'BatchSize', 1, 10_000) ?? DEFAULT_BATCH_SIZE,
    ...(window === undefined ? {} : { MaximumBatchingWindowInSeconds: window }),
    ...startingPosition(body, context.now),
    Topics: [topic],
    SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: servers } },
    SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: consumerGroupId(body) ?? context.uuid },
    ...(access ? { SourceAccessConfigurations: access } : {}),
    ...(responseTypes ? { FunctionResponseTypes: responseTypes } : {}),
    MaximumRetryAttempts:
      limitOrInfinite(body, 'MaximumRetryAttempts', 0, 10_000) ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    MaximumRecordAgeInSeconds:
      limitOrInfinite(body, 'MaximumRecordAgeInSeconds', 60, 604_800) ?? DEFAULT_MAXIMUM_RECORD_AGE,
    BisectBatchOnFunctionError: booleanOf(body, 'BisectBatchOnFunctionError') ?? false,
    ...(destination ? { DestinationConfig: destination } : {}),
    ...(filters ? { FilterCriteria: filters } : {}),
    ...(pollers ? { ProvisionedPollerConfig: pollers } : {}),
    ...(metrics ? { MetricsConfig: metrics } : {}),
  };
  const tags = objectOf(body, 'Tags') as Record<string, string> | undefined;
  return {
    mapping: { configuration, functionName: ref.name, enabled, ...(tags ? { tags } : {}) },
    function: ref,
  };
}

/** What an UpdateEventSourceMapping request changes. */
export interface MappingUpdate {
  mapping: StoredMapping;
  /** The new function, when the request names one. */
  function?: FunctionRef;
}

/**
 * An UpdateEventSourceMapping request applied to `current`: only the fields
 * given change; an empty `FilterCriteria` or `DestinationConfig` removes it.
 * The consumer group, topic, brokers and starting position cannot change.
 */
export function applyUpdate(current: StoredMapping, raw: unknown, now: number): MappingUpdate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalidParameter('The request body must be a JSON object');
  const body = raw as Body;
  refuseOthers(body);
  for (const fixed of [
    'Topics',
    'SelfManagedEventSource',
    'StartingPosition',
    'StartingPositionTimestamp',
    'EventSourceArn',
  ]) {
    if (body[fixed] !== undefined)
      throw invalidParameter(`${fixed} cannot be updated; create a new event source mapping`);
  }
  const next = structuredClone(current);
  const conf = next.configuration;
  const ref = functionRefOf(body, false);
  if (ref) next.functionName = ref.name;
  const group = consumerGroupId(body);
  if (group !== undefined && group !== conf.SelfManagedKafkaEventSourceConfig.ConsumerGroupId)
    throw invalidParameter('ConsumerGroupId cannot be updated after the event source mapping is created');
  const enabled = booleanOf(body, 'Enabled');
  if (enabled !== undefined) next.enabled = enabled;
  const batchSize = integerIn(body, 'BatchSize', 1, 10_000);
  if (batchSize !== undefined) conf.BatchSize = batchSize;
  const window = integerIn(body, 'MaximumBatchingWindowInSeconds', 0, 300);
  if (window !== undefined) conf.MaximumBatchingWindowInSeconds = window;
  const retries = limitOrInfinite(body, 'MaximumRetryAttempts', 0, 10_000);
  if (retries !== undefined) conf.MaximumRetryAttempts = retries;
  const age = limitOrInfinite(body, 'MaximumRecordAgeInSeconds', 60, 604_800);
  if (age !== undefined) conf.MaximumRecordAgeInSeconds = age;
  const bisect = booleanOf(body, 'BisectBatchOnFunctionError');
  if (bisect !== undefined) conf.BisectBatchOnFunctionError = bisect;
  const responseTypes = functionResponseTypes(body);
  if (responseTypes !== undefined) {
    if (responseTypes.length) conf.FunctionResponseTypes = responseTypes;
    else delete conf.FunctionResponseTypes;
  }
  const destination = destinationConfig(body, conf.Topics[0]);
  if (destination) conf.DestinationConfig = destination;
  else if (destination === null) delete conf.DestinationConfig;
  const filters = filterCriteria(body);
  if (filters) conf.FilterCriteria = filters;
  else if (filters === null) delete conf.FilterCriteria;
  const access = sourceAccess(body);
  if (access !== undefined) conf.SourceAccessConfigurations = access;
  const pollers = pollerConfig(body);
  if (pollers !== undefined) conf.ProvisionedPollerConfig = pollers;
  const metrics = metricsConfig(body);
  if (metrics !== undefined) conf.MetricsConfig = metrics;
  conf.LastModified = now / 1000;
  conf.StateTransitionReason = USER_INITIATED;
  return ref ? { mapping: next, function: ref } : { mapping: next };
}
