/**
 * CreateEventSourceMapping / UpdateEventSourceMapping requests for a
 * self-managed Kafka source: the defaults AWS applies, the shape it answers
 * with, and what it refuses (with the error type it uses).
 */
import { describe, expect, it } from 'vitest';
import { EsmApiError, errorBody, type StoredMapping, toConfiguration } from '../../src/stack/esm/shapes.ts';
import { applyUpdate, mappingFromCreate } from '../../src/stack/esm/validate.ts';

const context = {
  uuid: '6d1c4a8e-0000-4000-8000-000000000001',
  region: 'us-east-1',
  accountId: '000000000000',
  now: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
};

const request = (overrides: Record<string, unknown> = {}) => ({
  FunctionName: 'processor',
  Topics: ['aviation-data'],
  SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['127.0.0.1:9092'] } },
  ...overrides,
});

/** The error a call throws, as the API would answer it. */
function refusal(call: () => unknown): { status: number; type: string; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof EsmApiError)
      return { status: error.status, type: error.type, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

const create = (overrides: Record<string, unknown> = {}) => mappingFromCreate(request(overrides), context);

describe('mappingFromCreate', () => {
  it("applies AWS's defaults and answers in AWS's shape", () => {
    const { mapping, function: ref } = create();
    expect(ref).toEqual({ name: 'processor' });
    expect(mapping.functionName).toBe('processor');
    expect(mapping.enabled).toBe(true);
    expect(toConfiguration(mapping)).toEqual({
      UUID: context.uuid,
      EventSourceMappingArn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${context.uuid}`,
      FunctionArn: '',
      State: 'Creating',
      StateTransitionReason: 'USER_INITIATED',
      LastModified: context.now / 1000,
      LastProcessingResult: 'No records processed',
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      Topics: ['aviation-data'],
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['127.0.0.1:9092'] } },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: context.uuid },
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
    });
  });

  it('keeps every setting given', () => {
    const { mapping } = create({
      Enabled: false,
      BatchSize: 10_000,
      MaximumBatchingWindowInSeconds: 300,
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: context.now / 1000 - 60,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 0,
      MaximumRecordAgeInSeconds: 60,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: 'kafka://aviation-data-dlq' } },
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"origin_country":["Germany"]}}' }] },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'my-group' },
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 4 },
      MetricsConfig: { Metrics: ['EventCount'] },
      SourceAccessConfigurations: [
        { Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:kafka' },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-1' },
      ],
      Tags: { team: 'ops' },
    });
    expect(mapping.enabled).toBe(false);
    expect(mapping.tags).toEqual({ team: 'ops' });
    expect(mapping.configuration).toMatchObject({
      BatchSize: 10_000,
      MaximumBatchingWindowInSeconds: 300,
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: context.now / 1000 - 60,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 0,
      MaximumRecordAgeInSeconds: 60,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: 'kafka://aviation-data-dlq' } },
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"origin_country":["Germany"]}}' }] },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'my-group' },
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 4 },
      MetricsConfig: { Metrics: ['EventCount'] },
    });
    expect(mapping.configuration.SourceAccessConfigurations).toHaveLength(2);
  });

  it('parses every FunctionName form Lambda accepts', () => {
    expect(create({ FunctionName: 'processor:live' }).function).toEqual({
      name: 'processor',
      qualifier: 'live',
    });
    expect(create({ FunctionName: '000000000000:function:processor' }).function).toEqual({
      name: 'processor',
    });
    expect(
      create({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:processor:7' }).function,
    ).toEqual({ name: 'processor', qualifier: '7' });
  });

  it('refuses values outside the API model with ValidationException', () => {
    for (const overrides of [
      { BatchSize: 0 },
      { BatchSize: 10_001 },
      { MaximumRetryAttempts: -2 },
      { MaximumBatchingWindowInSeconds: 301 },
      { StartingPosition: 'EARLIEST' },
      { Topics: ['.hidden'] },
      { SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['no-port'] } } },
      { MetricsConfig: { Metrics: ['Everything'] } },
      { FunctionResponseTypes: ['ReportItems'] },
    ]) {
      expect(
        refusal(() => create(overrides)),
        JSON.stringify(overrides),
      ).toMatchObject({
        status: 400,
        type: 'ValidationException',
      });
    }
    expect(refusal(() => create({ BatchSize: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('refuses what a Kafka mapping cannot use with InvalidParameterValueException', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ FunctionName: undefined }, 'FunctionName is required'],
      [{ Topics: ['a', 'b'] }, 'exactly one'],
      [{ Topics: [] }, 'exactly one'],
      [{ SelfManagedEventSource: { Endpoints: {} } }, 'KAFKA_BOOTSTRAP_SERVERS'],
      [{ SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [] } } }, '1 to 10'],
      [{ StartingPosition: 'AT_TIMESTAMP' }, 'StartingPositionTimestamp is required'],
      [{ StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: context.now / 1000 + 60 }, 'future'],
      [{ StartingPositionTimestamp: 1 }, 'only allowed with StartingPosition AT_TIMESTAMP'],
      [{ MaximumRecordAgeInSeconds: 59 }, 'between 60 and 604800'],
      [{ BatchSize: 1.5 }, 'must be an integer'],
      [
        { DestinationConfig: { OnFailure: { Destination: 'kafka://aviation-data' } } },
        'differ from the source topic',
      ],
      [{ DestinationConfig: { OnFailure: { Destination: 'arn:aws:s3:::bucket' } } }, 'S3'],
      [
        { DestinationConfig: { OnFailure: { Destination: 'mailto:ops' } } },
        'Unsupported on-failure destination',
      ],
      [{ DestinationConfig: { OnSuccess: { Destination: 'kafka://ok' } } }, 'OnSuccess'],
      [{ FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }, 'Invalid filter pattern'],
      [{ FilterCriteria: { Filters: Array.from({ length: 6 }, () => ({ Pattern: '{}' })) } }, 'at most 5'],
      [
        { SourceAccessConfigurations: [{ Type: 'OAUTHBEARER_AUTH', URI: 'arn:aws:secretsmanager:x' }] },
        'not supported',
      ],
      [{ SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: 'plain-text' }] }, 'Secrets Manager'],
      [
        {
          SourceAccessConfigurations: [
            { Type: 'BASIC_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:a' },
            { Type: 'SASL_SCRAM_256_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:b' },
          ],
        },
        'one authentication method',
      ],
      [{ SelfManagedKafkaEventSourceConfig: { ConsumptionMode: 'Queue' } }, 'share groups'],
      [{ SelfManagedKafkaEventSourceConfig: { SchemaRegistryConfig: {} } }, 'SchemaRegistryConfig'],
      [{ ProvisionedPollerConfig: { MinimumPollers: 5, MaximumPollers: 2 } }, 'must not exceed'],
      [{ ParallelizationFactor: 2 }, 'not supported for self-managed Apache Kafka'],
    ];
    for (const [overrides, words] of cases) {
      const answer = refusal(() => create(overrides));
      expect(answer.type, JSON.stringify(overrides)).toBe('InvalidParameterValueException');
      expect(answer.status).toBe(400);
      expect(answer.message).toContain(words);
    }
  });
});

describe('applyUpdate', () => {
  const enabled = (): StoredMapping => {
    const { mapping } = create();
    mapping.configuration.State = 'Enabled';
    mapping.configuration.FunctionArn = 'arn:aws:lambda:us-east-1:000000000000:function:processor';
    return mapping;
  };
  const later = context.now + 60_000;

  it('changes only what the request gives, and stamps the time', () => {
    const current = enabled();
    const { mapping, function: ref } = applyUpdate(current, { BatchSize: 5, Enabled: false }, later);
    expect(ref).toBeUndefined();
    expect(mapping.enabled).toBe(false);
    expect(mapping.configuration.BatchSize).toBe(5);
    expect(mapping.configuration.LastModified).toBe(later / 1000);
    expect({ ...mapping.configuration, BatchSize: 100, LastModified: 0 }).toEqual({
      ...current.configuration,
      LastModified: 0,
    });
    // The stored mapping is left alone.
    expect(current.configuration.BatchSize).toBe(100);
  });

  it('removes a filter or destination given empty, and names a new function', () => {
    const { mapping: withBoth } = applyUpdate(
      enabled(),
      {
        FilterCriteria: { Filters: [{ Pattern: '{"value":{"a":[1]}}' }] },
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:failed' } },
      },
      later,
    );
    expect(withBoth.configuration.FilterCriteria?.Filters).toHaveLength(1);
    expect(withBoth.configuration.DestinationConfig?.OnFailure.Destination).toContain(':sqs:');
    const { mapping, function: ref } = applyUpdate(
      withBoth,
      { FilterCriteria: { Filters: [] }, DestinationConfig: { OnFailure: {} }, FunctionName: 'other:live' },
      later,
    );
    expect(mapping.configuration.FilterCriteria).toBeUndefined();
    expect(mapping.configuration.DestinationConfig).toBeUndefined();
    expect(ref).toEqual({ name: 'other', qualifier: 'live' });
    expect(mapping.functionName).toBe('other');
  });

  it('refuses changes AWS does not allow after creation', () => {
    for (const body of [
      { Topics: ['other'] },
      { StartingPosition: 'LATEST' },
      { SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['b:1'] } } },
      { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'another-group' } },
    ]) {
      expect(refusal(() => applyUpdate(enabled(), body, later)).type, JSON.stringify(body)).toBe(
        'InvalidParameterValueException',
      );
    }
    // The same consumer group again is no change.
    expect(
      applyUpdate(enabled(), { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: context.uuid } }, later)
        .mapping.configuration.SelfManagedKafkaEventSourceConfig.ConsumerGroupId,
    ).toBe(context.uuid);
    expect(refusal(() => applyUpdate(enabled(), { BatchSize: 0 }, later)).type).toBe('ValidationException');
  });
});

describe('errorBody', () => {
  it("names the message field as Lambda's model does per exception", () => {
    expect(JSON.parse(errorBody('ResourceNotFoundException', 'gone'))).toEqual({
      Type: 'User',
      Message: 'gone',
    });
    expect(JSON.parse(errorBody('ResourceInUseException', 'busy'))).toEqual({
      Type: 'User',
      Message: 'busy',
    });
    expect(JSON.parse(errorBody('InvalidParameterValueException', 'bad'))).toEqual({
      Type: 'User',
      message: 'bad',
    });
    expect(JSON.parse(errorBody('ResourceConflictException', 'twice'))).toEqual({
      Type: 'User',
      message: 'twice',
    });
  });
});
