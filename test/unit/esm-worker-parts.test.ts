/**
 * The pure parts of an event source mapping's worker: the poller options a
 * mapping gives, the metrics it reports, how its secrets become a Kafka
 * connection, where its entry file is, and the service's options.
 */
import { describe, expect, it } from 'vitest';
import { defaultLambdaInvokerOptions, resolveLambdaInvokerOptions } from '../../src/bridge/options.ts';
import { ConfigError } from '../../src/errors.ts';
import {
  DEFAULT_PARTITION_CONCURRENCY,
  invokerOptionsFromMapping,
} from '../../src/stack/esm/invoker-options.ts';
import { metricData, totalLag } from '../../src/stack/esm/metrics.ts';
import { defaultEsmOptions, esmOptionsFromEnv, resolveEsmOptions } from '../../src/stack/esm/options.ts';
import { connectionFromAccess } from '../../src/stack/esm/secrets.ts';
import type { EsmConfiguration } from '../../src/stack/esm/shapes.ts';
import { workerEntry } from '../../src/stack/esm/supervisor.ts';
import { mappingFromCreate } from '../../src/stack/esm/validate.ts';

const UUID = '6d1c4a8e-0000-4000-8000-000000000002';

function configuration(overrides: Record<string, unknown> = {}): EsmConfiguration {
  const { mapping } = mappingFromCreate(
    {
      FunctionName: 'processor',
      Topics: ['aviation-data'],
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['127.0.0.1:9092', 'b2:9093'] } },
      ...overrides,
    },
    { uuid: UUID, region: 'us-east-1', accountId: '000000000000', now: Date.UTC(2026, 0, 1) },
  );
  mapping.configuration.FunctionArn = 'arn:aws:lambda:us-east-1:000000000000:function:processor:live';
  return mapping.configuration;
}

describe('invokerOptionsFromMapping', () => {
  it("maps a default mapping onto the poller with AWS's defaults", () => {
    expect(invokerOptionsFromMapping(configuration())).toEqual({
      functionName: 'arn:aws:lambda:us-east-1:000000000000:function:processor:live',
      topic: 'aviation-data',
      groupId: UUID,
      brokers: ['127.0.0.1:9092', 'b2:9093'],
      clientId: `lambda-esm-${UUID}`,
      batchSize: 100,
      batchingWindowMs: 500,
      startingPosition: 'TRIM_HORIZON',
      partitionConcurrency: DEFAULT_PARTITION_CONCURRENCY,
      retry: -1,
      bisectBatchOnFunctionError: false,
      maximumRecordAgeSeconds: -1,
      deadLetterTopic: null,
      reportBatchItemFailures: false,
      // MaximumRetryAttempts with no destination: AWS discards the batch; -1 retries until it succeeds.
      whenExhausted: 'drop',
    });
  });

  it('carries every setting of the mapping', () => {
    const options = invokerOptionsFromMapping(
      configuration({
        BatchSize: 7,
        MaximumBatchingWindowInSeconds: 0,
        StartingPosition: 'AT_TIMESTAMP',
        StartingPositionTimestamp: 1767139200.25,
        MaximumRetryAttempts: 2,
        MaximumRecordAgeInSeconds: 120,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: 'kafka://failed-flights' } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 6 },
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'flights' },
      }),
    );
    expect(options).toMatchObject({
      groupId: 'flights',
      batchSize: 7,
      batchingWindowMs: 0,
      startingPosition: { timestamp: 1767139200250 },
      retry: 2,
      maximumRecordAgeSeconds: 120,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      deadLetterTopic: 'failed-flights',
      partitionConcurrency: 6,
    });
    expect(invokerOptionsFromMapping(configuration({ StartingPosition: 'LATEST' })).startingPosition).toBe(
      'LATEST',
    );
    expect(
      invokerOptionsFromMapping(configuration({ MaximumBatchingWindowInSeconds: 3 })).batchingWindowMs,
    ).toBe(3000);
  });

  it('retries 10 times when a destination is set and no retry count was given, as AWS does', () => {
    const withQueue = configuration({
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:failed' } },
    });
    expect(invokerOptionsFromMapping(withQueue)).toMatchObject({
      retry: 10,
      deadLetterTopic: null,
    });
    expect(
      invokerOptionsFromMapping(
        configuration({
          MaximumRetryAttempts: 3,
          DestinationConfig: { OnFailure: { Destination: 'kafka://dlq' } },
        }),
      ).retry,
    ).toBe(3);
  });

  it("gives the poller ESM's MaximumRetryAttempts as its retry limit, -1 as Infinity", () => {
    const forever = resolveLambdaInvokerOptions(invokerOptionsFromMapping(configuration()));
    const twice = resolveLambdaInvokerOptions(
      invokerOptionsFromMapping(configuration({ MaximumRetryAttempts: 2 })),
    );
    expect(forever.retry).toEqual({ ...defaultLambdaInvokerOptions.retry, limit: Number.POSITIVE_INFINITY });
    expect(twice.retry.limit).toBe(2);
  });

  it('takes 200 pollers when a provisioned config names only its minimum', () => {
    expect(
      invokerOptionsFromMapping(configuration({ ProvisionedPollerConfig: { MinimumPollers: 2 } }))
        .partitionConcurrency,
    ).toBe(200);
  });

  it('passes the connection read from the secrets', () => {
    const sasl = { mechanism: 'scram-sha-512' as const, username: 'u', password: 'p' };
    const options = invokerOptionsFromMapping(configuration(), { sasl, ssl: { ca: 'CA' } });
    expect(options.sasl).toEqual(sasl);
    expect(options.ssl).toEqual({ ca: 'CA' });
  });

  it("runs the poller on the Kafka library the worker's KAFKA_CLIENT names, and refuses an unknown one", () => {
    expect(invokerOptionsFromMapping(configuration(), {}, { KAFKA_CLIENT: 'platformatic' }).client).toBe(
      'platformatic',
    );
    expect(invokerOptionsFromMapping(configuration(), {}, { KAFKA_CLIENT: ' ' })).not.toHaveProperty(
      'client',
    );
    expect(() => invokerOptionsFromMapping(configuration(), {}, { KAFKA_CLIENT: 'rdkafka' })).toThrow(
      'KAFKA_CLIENT must be one of kafkajs, platformatic',
    );
  });
});

describe('metricData', () => {
  const timestamp = new Date(Date.UTC(2026, 0, 1));
  const dimensions = [{ Name: 'EventSourceMappingUUID', Value: UUID }];

  it('sends OffsetLag only, without EventCount in MetricsConfig', () => {
    expect(
      metricData({
        uuid: UUID,
        stats: { recordsIn: 10 },
        previous: {},
        offsetLag: 4,
        eventCount: false,
        timestamp,
      }),
    ).toEqual([
      { MetricName: 'OffsetLag', Dimensions: dimensions, Value: 4, Unit: 'Count', Timestamp: timestamp },
    ]);
  });

  it('sends each event count as its increase since the previous report, from the stats the poller has', () => {
    const data = metricData({
      uuid: UUID,
      stats: { recordsIn: 30, deadLettered: 2, filteredOut: 5, invocations: 9 },
      previous: { recordsIn: 12, deadLettered: 2 },
      offsetLag: undefined,
      eventCount: true,
      timestamp,
    });
    expect(Object.fromEntries(data.map((d) => [d.MetricName, d.Value]))).toEqual({
      PolledEventCount: 18,
      FilteredOutEventCount: 5,
      OnFailureDestinationDeliveredEventCount: 0,
    });
    expect(data.every((d) => d.Dimensions?.[0]?.Name === 'EventSourceMappingUUID')).toBe(true);
  });

  it("prefers the poller's precise counters when it has them", () => {
    const data = metricData({
      uuid: UUID,
      stats: {
        polled: 8,
        recordsIn: 99,
        onFailureDelivered: 1,
        deadLettered: 50,
        invokedEvents: 7,
        failedInvokeEvents: 1,
        dropped: 0,
      },
      previous: {},
      offsetLag: 0,
      eventCount: true,
      timestamp,
    });
    expect(Object.fromEntries(data.map((d) => [d.MetricName, d.Value]))).toEqual({
      OffsetLag: 0,
      PolledEventCount: 8,
      InvokedEventCount: 7,
      FailedInvokeEventCount: 1,
      DroppedEventCount: 0,
      OnFailureDestinationDeliveredEventCount: 1,
    });
  });

  it('sums the lag over partitions', () => {
    expect(totalLag({ 0: 3, 1: 0, 2: 5 })).toBe(8);
    expect(totalLag({})).toBeUndefined();
  });
});

describe('connectionFromAccess', () => {
  const secrets: Record<string, Record<string, string>> = {
    'arn:scram': { username: 'alice', password: 's3cret' },
    'arn:ca': { certificate: 'CA-PEM' },
    'arn:client': { certificate: 'CERT', privateKey: 'KEY', privateKeyPassword: 'pw' },
    'arn:empty': {},
  };
  const read = async (arn: string) => secrets[arn]!;

  it('turns SASL and TLS secrets into the Kafka client options', async () => {
    expect(
      await connectionFromAccess(
        [
          { Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:scram' },
          { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: 'arn:ca' },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-1' },
        ],
        read,
      ),
    ).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' },
      ssl: { ca: 'CA-PEM' },
    });
    expect(await connectionFromAccess([{ Type: 'BASIC_AUTH', URI: 'arn:scram' }], read)).toEqual({
      sasl: { mechanism: 'plain', username: 'alice', password: 's3cret' },
    });
    expect(
      await connectionFromAccess([{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: 'arn:client' }], read),
    ).toEqual({
      ssl: { cert: 'CERT', key: 'KEY', passphrase: 'pw' },
    });
    expect(await connectionFromAccess(undefined, read)).toEqual({});
  });

  it('says which secret lacks what', async () => {
    await expect(
      connectionFromAccess([{ Type: 'SASL_SCRAM_256_AUTH', URI: 'arn:empty' }], read),
    ).rejects.toThrow(/arn:empty.*username/);
    await expect(
      connectionFromAccess([{ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: 'arn:empty' }], read),
    ).rejects.toThrow(/certificate/);
  });
});

describe('workerEntry', () => {
  it('finds the worker beside the router, in the sources and in the build', () => {
    expect(workerEntry('file:///pkg/src/stack/endpoint/router.ts')).toBe('/pkg/src/stack/esm/worker.ts');
    expect(workerEntry('file:///pkg/dist/stack/router.js')).toBe('/pkg/dist/stack/esm-worker.js');
  });
});

describe('esm options', () => {
  it('overlays what is given on the defaults', () => {
    expect(resolveEsmOptions({})).toEqual(defaultEsmOptions);
    expect(resolveEsmOptions({ metricsIntervalMs: 500, stopTimeoutMs: undefined })).toEqual({
      ...defaultEsmOptions,
      metricsIntervalMs: 500,
    });
    expect(esmOptionsFromEnv({ ESM_RESTART_BASE_MS: '10', ESM_RESTART_MAX_MS: '20' }).restart).toEqual({
      limit: Number.POSITIVE_INFINITY,
      baseMs: 10,
      maxDelayMs: 20,
    });
    expect(esmOptionsFromEnv({ ESM_METRICS_INTERVAL_MS: '2000', ESM_STOP_TIMEOUT_MS: '' })).toEqual({
      ...defaultEsmOptions,
      metricsIntervalMs: 2000,
    });
  });

  it('names the option it refuses', () => {
    expect(() => resolveEsmOptions({ restart: { baseMs: 0 } })).toThrow(ConfigError);
    expect(() => resolveEsmOptions({ restart: { baseMs: 0 } })).toThrow('/options/restart/baseMs');
    expect(() => resolveEsmOptions({ restart: { limit: 3 } })).toThrow('/options/restart/limit');
    expect(() => resolveEsmOptions({ stopTimeoutMs: 0 })).toThrow('/options/stopTimeoutMs');
    expect(() => esmOptionsFromEnv({ ESM_METRICS_INTERVAL_MS: 'soon' })).toThrow(
      '/options/metricsIntervalMs',
    );
    expect(() => esmOptionsFromEnv({ ESM_RESTART_BASE_MS: '5000', ESM_RESTART_MAX_MS: '1000' })).toThrow(
      '/options/restart/maxDelayMs',
    );
  });
});
