import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import {
  changedSettings,
  ensureKafkaEventSourceMapping,
  isSameKafkaTrigger,
} from '../../src/deploy/event-source-mapping.ts';

const servers = ['127.0.0.1:9092'];
const mapping = (extra: Partial<EventSourceMappingConfiguration> = {}): EventSourceMappingConfiguration => ({
  UUID: 'u-1',
  State: 'Enabled',
  Topics: ['aviation-data'],
  SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: servers } },
  BatchSize: 500,
  FunctionResponseTypes: ['ReportBatchItemFailures'],
  MaximumRetryAttempts: 3,
  DestinationConfig: { OnFailure: { Destination: 'kafka://aviation-data-dlq' } },
  ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
  ...extra,
});
const wanted = {
  Enabled: true,
  BatchSize: 500,
  FunctionResponseTypes: ['ReportBatchItemFailures' as const],
  MaximumRetryAttempts: 3,
  DestinationConfig: { OnFailure: { Destination: 'kafka://aviation-data-dlq' } },
  ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
};

describe('the Kafka trigger deploy wires', () => {
  it('finds the same trigger by topic and cluster, whatever the order of the servers', () => {
    const two = mapping({
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['b:9092', 'a:9092'] } },
    });
    expect(isSameKafkaTrigger(two, { functionName: 'f', bootstrapServers: ['a:9092', 'b:9092'] })).toBe(true);
    expect(isSameKafkaTrigger(two, { functionName: 'f', bootstrapServers: ['a:9092'] })).toBe(false);
    expect(
      isSameKafkaTrigger(mapping(), { functionName: 'f', bootstrapServers: servers, topic: 'other' }),
    ).toBe(false);
    const msk = mapping({
      SelfManagedEventSource: undefined,
      EventSourceArn: 'arn:aws:kafka:eu-west-1:1:cluster/c/x',
    });
    expect(
      isSameKafkaTrigger(msk, { functionName: 'f', mskClusterArn: 'arn:aws:kafka:eu-west-1:1:cluster/c/x' }),
    ).toBe(true);
  });

  it('reports no change for a mapping that already has the settings, and names each one that differs', () => {
    expect(changedSettings(mapping(), wanted)).toEqual([]);
    expect(
      changedSettings(
        mapping({
          State: 'Disabled',
          BatchSize: 100,
          FunctionResponseTypes: [],
          DestinationConfig: { OnFailure: {} },
          ProvisionedPollerConfig: undefined,
        }),
        wanted,
      ),
    ).toEqual([
      'Enabled',
      'BatchSize',
      'FunctionResponseTypes',
      'DestinationConfig',
      'ProvisionedPollerConfig',
    ]);
  });

  it('refuses bad settings before calling AWS, naming the option', async () => {
    const lambda = {
      send: () => {
        throw new Error('must not be called');
      },
    } as never;
    await expect(ensureKafkaEventSourceMapping({ functionName: 'f', lambda })).rejects.toThrow(
      /bootstrapServers.*one of them/,
    );
    await expect(
      ensureKafkaEventSourceMapping({ functionName: 'f', bootstrapServers: ['no-port'], lambda }),
    ).rejects.toThrow(/bootstrapServers\/0 must be host:port/);
    await expect(
      ensureKafkaEventSourceMapping({ functionName: 'f', bootstrapServers: servers, batchSize: 0, lambda }),
    ).rejects.toThrow(/batchSize/);
    await expect(
      ensureKafkaEventSourceMapping({
        functionName: 'f',
        bootstrapServers: servers,
        deadLetterTopic: 'aviation-data',
        lambda,
      }),
    ).rejects.toThrow(/deadLetterTopic must differ/);
  });
});
