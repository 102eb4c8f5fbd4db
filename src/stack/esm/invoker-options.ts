/**
 * An event source mapping's configuration → the options of the one poller
 * the project has, {@link LambdaInvoker}. Pure, so that every AWS default
 * and mapping is unit-tested in one place.
 */
import type { ConnectionOptions } from 'node:tls';
import { compileFilterCriteria } from '../../bridge/filter-criteria.ts';
import type { LambdaInvokerOptions } from '../../bridge/invoker.ts';
import type { KafkaSaslOptions } from '../../kafka/client.ts';
import { resolveKafkaClientOptions } from '../../kafka/clients/options.ts';
import {
  DEFAULT_BATCHING_WINDOW_MS,
  type EsmConfiguration,
  kafkaDestinationTopic,
  RETRIES_WITH_DESTINATION,
} from './shapes.ts';

/** How the worker reaches the brokers, once it has read the mapping's secrets. */
export interface MappingConnection {
  sasl?: KafkaSaslOptions;
  ssl?: boolean | ConnectionOptions;
}

/**
 * Partitions processed at once without a `ProvisionedPollerConfig`: AWS scales
 * its pollers by itself; locally the invoker's own default stands in.
 */
export const DEFAULT_PARTITION_CONCURRENCY = 3;
/** AWS's `MaximumPollers` default for Kafka mappings. */
export const DEFAULT_MAXIMUM_POLLERS = 200;

/** The invoker's options for a mapping (`reportBatchItemFailures` always set: AWS's default is off). */
export type MappingInvokerOptions = LambdaInvokerOptions & { reportBatchItemFailures: boolean };

/**
 * Build the {@link LambdaInvoker} options of a mapping:
 * - `FunctionArn` (with its qualifier) is what every Invoke names;
 * - `Topics[0]`, `KAFKA_BOOTSTRAP_SERVERS`, `ConsumerGroupId` → topic, brokers, group;
 * - `BatchSize`; `MaximumBatchingWindowInSeconds` (absent: Kafka's 500 ms);
 * - `StartingPosition` / `StartingPositionTimestamp` (epoch seconds) → `startingPosition`;
 * - `MaximumRetryAttempts` (-1: until it succeeds; capped at 10 when an on-failure
 *   destination is set and no value was given, as AWS does), `MaximumRecordAgeInSeconds`,
 *   `BisectBatchOnFunctionError`;
 * - `DestinationConfig.OnFailure` `kafka://topic` → the invoker's dead-letter topic (an SQS or
 *   SNS destination is the worker's `onFailure`, which needs clients); with no destination and
 *   `MaximumRetryAttempts` ≥ 0, exhausted batches are dropped and counted, as AWS does;
 * - `FunctionResponseTypes` → `reportBatchItemFailures`; `FilterCriteria` → `filter` (AWS's
 *   filter rules on the record value);
 * - `ProvisionedPollerConfig.MaximumPollers` → partitions processed in parallel (one poller
 *   per partition at most);
 * - the worker's environment `KAFKA_CLIENT` (not part of a mapping: the local stack's choice)
 *   → the Kafka library the poller runs on; unset, the invoker's default (kafkajs).
 */
export function invokerOptionsFromMapping(
  conf: EsmConfiguration,
  connection: MappingConnection = {},
  env: NodeJS.ProcessEnv = {},
): MappingInvokerOptions {
  const destination = conf.DestinationConfig?.OnFailure.Destination;
  const retries =
    conf.MaximumRetryAttempts === -1 && destination !== undefined
      ? RETRIES_WITH_DESTINATION
      : conf.MaximumRetryAttempts;
  const pollers = conf.ProvisionedPollerConfig;
  const options: MappingInvokerOptions = {
    functionName: conf.FunctionArn,
    topic: conf.Topics[0],
    groupId: conf.SelfManagedKafkaEventSourceConfig.ConsumerGroupId,
    brokers: [...conf.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS],
    clientId: `lambda-esm-${conf.UUID}`,
    batchSize: conf.BatchSize,
    batchingWindowMs:
      conf.MaximumBatchingWindowInSeconds === undefined
        ? DEFAULT_BATCHING_WINDOW_MS
        : conf.MaximumBatchingWindowInSeconds * 1000,
    startingPosition:
      conf.StartingPosition === 'AT_TIMESTAMP'
        ? { timestamp: Math.round((conf.StartingPositionTimestamp ?? 0) * 1000) }
        : conf.StartingPosition,
    partitionConcurrency: pollers
      ? (pollers.MaximumPollers ?? DEFAULT_MAXIMUM_POLLERS)
      : DEFAULT_PARTITION_CONCURRENCY,
    // ESM's MaximumRetryAttempts is the invoker's retry limit (-1: until it succeeds or expires).
    retry: retries,
    bisectBatchOnFunctionError: conf.BisectBatchOnFunctionError,
    maximumRecordAgeSeconds: conf.MaximumRecordAgeInSeconds,
    deadLetterTopic: kafkaDestinationTopic(destination) ?? null,
    reportBatchItemFailures: conf.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    whenExhausted: 'drop',
  };
  if (conf.FilterCriteria?.Filters?.length) options.filter = compileFilterCriteria(conf.FilterCriteria);
  // Throws ConfigError('KAFKA_CLIENT', …) on a name that is not a client.
  if (env.KAFKA_CLIENT?.trim()) options.client = resolveKafkaClientOptions({}, env).client;
  if (connection.sasl) options.sasl = connection.sasl;
  if (connection.ssl !== undefined) options.ssl = connection.ssl;
  return options;
}
