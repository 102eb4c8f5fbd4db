/**
 * The Kafka trigger of the processing function: an AWS Lambda event source
 * mapping (ESM) for self-managed Kafka (bootstrap servers) or Amazon MSK (a
 * cluster ARN), created or updated idempotently with the same calls on AWS and
 * on the local stack (which serves the ESM API and runs mappings itself).
 *
 * Why these defaults:
 * - `FunctionResponseTypes: ['ReportBatchItemFailures']`: the reference handler
 *   answers with the records that failed; without it AWS ignores that answer and
 *   commits them (the records would be lost).
 * - `ProvisionedPollerConfig`: on AWS the Kafka error-handling controls (retry
 *   attempts, record age, bisect, partial batch responses, on-failure
 *   destinations) exist in provisioned mode only. Provisioned pollers are billed
 *   (event poller units); `provisionedPollers: null` leaves the mapping in
 *   on-demand mode, without those controls.
 * - `DestinationConfig.OnFailure` `kafka://<topic>-dlq`: records that still fail
 *   after `maximumRetryAttempts` go to a dead-letter topic on the same cluster,
 *   as the `bridge` does.
 * - `StartingPosition: 'TRIM_HORIZON'`: a new mapping reads what was produced
 *   before it existed, so `produce` first and `deploy` second loses nothing.
 *
 * @module
 */
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type UpdateEventSourceMappingCommandInput,
} from '@aws-sdk/client-lambda';
import { DEFAULT_KAFKA_TOPIC } from '../config/defaults.ts';
import { ConfigError, LambdaInvokeError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { sleep } from '../util/retry.ts';

/** Options of {@link ensureKafkaEventSourceMapping}. */
export interface KafkaTriggerOptions {
  /** The function the mapping invokes (name or ARN). */
  functionName: string;
  /** @default 'aviation-data' */
  topic?: string;
  /** Self-managed Kafka: `host:port` of one or more brokers. Give this or `mskClusterArn`. */
  bootstrapServers?: readonly string[];
  /** Amazon MSK: the cluster's ARN. Give this or `bootstrapServers`. */
  mskClusterArn?: string;
  /** The mapping's consumer group (create-only). @default AWS's: the mapping's UUID */
  consumerGroupId?: string;
  /** Where a new mapping starts (create-only). @default 'TRIM_HORIZON' */
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  /** Records per invocation, 1–10,000. @default 500 (the bridge's) */
  batchSize?: number;
  /** `MaximumBatchingWindowInSeconds`, whole seconds 0–300. @default unset: AWS's 0.5 s for Kafka */
  batchingWindowSeconds?: number;
  /** Retries of a failed batch before it goes to the on-failure destination. @default 3 */
  maximumRetryAttempts?: number;
  /** On-failure destination topic on the same cluster; `null` for none. @default `<topic>-dlq` */
  deadLetterTopic?: string | null;
  /** Provisioned mode's pollers; `null` for on-demand mode (no error-handling controls). @default { minimum: 1, maximum: 3 } */
  provisionedPollers?: { minimum: number; maximum: number } | null;
  /** How long to wait for the mapping to be `Enabled`, ms; 0 not to wait. @default 120000 */
  waitMs?: number;
  /** @default a LambdaClient from the environment */
  lambda?: LambdaClient;
  logger?: Logger;
}

/** What {@link ensureKafkaEventSourceMapping} did. */
export interface KafkaTriggerResult {
  uuid: string;
  /** `created`, `updated` (settings changed, or a disabled mapping enabled) or `unchanged`. */
  mapping: 'created' | 'updated' | 'unchanged';
  /** The mapping's `State` when the call returned (`Enabled` once it polls). */
  state: string;
  /** Create-only settings that differ from what was asked (they cannot be changed in place). */
  notApplied: string[];
}

/** Defaults of {@link KafkaTriggerOptions}. */
export const defaultKafkaTriggerOptions = {
  topic: DEFAULT_KAFKA_TOPIC,
  startingPosition: 'TRIM_HORIZON',
  batchSize: 500,
  maximumRetryAttempts: 3,
  provisionedPollers: { minimum: 1, maximum: 3 },
  waitMs: 120_000,
} as const satisfies Partial<KafkaTriggerOptions>;

const KAFKA_DESTINATION = 'kafka://';

/** The mapping's settings as AWS's API takes them (what create and update share). */
function wantedSettings(
  options: KafkaTriggerOptions,
): Omit<UpdateEventSourceMappingCommandInput, 'UUID' | 'FunctionName'> {
  const topic = options.topic ?? defaultKafkaTriggerOptions.topic;
  const dlq = options.deadLetterTopic === undefined ? `${topic}-dlq` : options.deadLetterTopic;
  const pollers =
    options.provisionedPollers === undefined
      ? defaultKafkaTriggerOptions.provisionedPollers
      : options.provisionedPollers;
  const settings: Omit<UpdateEventSourceMappingCommandInput, 'UUID' | 'FunctionName'> = {
    Enabled: true,
    BatchSize: options.batchSize ?? defaultKafkaTriggerOptions.batchSize,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  };
  if (options.batchingWindowSeconds !== undefined)
    settings.MaximumBatchingWindowInSeconds = options.batchingWindowSeconds;
  if (pollers) {
    settings.ProvisionedPollerConfig = { MinimumPollers: pollers.minimum, MaximumPollers: pollers.maximum };
    settings.MaximumRetryAttempts =
      options.maximumRetryAttempts ?? defaultKafkaTriggerOptions.maximumRetryAttempts;
    if (dlq) settings.DestinationConfig = { OnFailure: { Destination: `${KAFKA_DESTINATION}${dlq}` } };
  }
  return settings;
}

function validate(options: KafkaTriggerOptions): void {
  if (!options.functionName) throw new ConfigError('/options/functionName', 'is required');
  const servers = options.bootstrapServers ?? [];
  if (servers.length > 0 === Boolean(options.mskClusterArn))
    throw new ConfigError(
      '/options/bootstrapServers',
      'give bootstrapServers or mskClusterArn (one of them)',
    );
  for (const [i, server] of servers.entries()) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(server))
      throw new ConfigError(`/options/bootstrapServers/${i}`, `must be host:port, got '${server}'`);
  }
  if (options.mskClusterArn && !/^arn:aws[a-z-]*:kafka:/.test(options.mskClusterArn))
    throw new ConfigError('/options/mskClusterArn', 'must be an MSK cluster ARN (arn:aws:kafka:…)');
  const batch = options.batchSize ?? defaultKafkaTriggerOptions.batchSize;
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
    throw new ConfigError('/options/batchSize', 'must be an integer from 1 to 10000');
  const window = options.batchingWindowSeconds;
  if (window !== undefined && (!Number.isInteger(window) || window < 0 || window > 300))
    throw new ConfigError('/options/batchingWindowSeconds', 'must be an integer from 0 to 300');
  const retries = options.maximumRetryAttempts ?? defaultKafkaTriggerOptions.maximumRetryAttempts;
  if (!Number.isInteger(retries) || retries < -1 || retries > 10_000)
    throw new ConfigError('/options/maximumRetryAttempts', 'must be -1 or an integer from 0 to 10000');
  const topic = options.topic ?? defaultKafkaTriggerOptions.topic;
  if (options.deadLetterTopic === topic)
    throw new ConfigError('/options/deadLetterTopic', 'must differ from the source topic (AWS refuses it)');
}

const sameServers = (a: readonly string[] | undefined, b: readonly string[]) =>
  [...(a ?? [])].sort().join(',') === [...b].sort().join(',');

/** True when `mapping` is the trigger `options` describes: same function, topic and cluster. */
export function isSameKafkaTrigger(
  mapping: EventSourceMappingConfiguration,
  options: KafkaTriggerOptions,
): boolean {
  const topic = options.topic ?? defaultKafkaTriggerOptions.topic;
  if (!(mapping.Topics ?? []).includes(topic)) return false;
  if (options.mskClusterArn) return mapping.EventSourceArn === options.mskClusterArn;
  return sameServers(
    mapping.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS,
    options.bootstrapServers ?? [],
  );
}

/** The settings of `wanted` that `current` does not have (names as in AWS's API). */
export function changedSettings(
  current: EventSourceMappingConfiguration,
  wanted: Omit<UpdateEventSourceMappingCommandInput, 'UUID' | 'FunctionName'>,
): string[] {
  const changed: string[] = [];
  const enabled = !['Disabled', 'Disabling'].includes(current.State ?? '');
  if (wanted.Enabled !== undefined && wanted.Enabled !== enabled) changed.push('Enabled');
  if (wanted.BatchSize !== undefined && wanted.BatchSize !== current.BatchSize) changed.push('BatchSize');
  if (
    wanted.MaximumBatchingWindowInSeconds !== undefined &&
    wanted.MaximumBatchingWindowInSeconds !== current.MaximumBatchingWindowInSeconds
  )
    changed.push('MaximumBatchingWindowInSeconds');
  const types = (list: readonly string[] | undefined) => [...(list ?? [])].sort().join(',');
  if (
    wanted.FunctionResponseTypes &&
    types(wanted.FunctionResponseTypes) !== types(current.FunctionResponseTypes)
  )
    changed.push('FunctionResponseTypes');
  if (
    wanted.MaximumRetryAttempts !== undefined &&
    wanted.MaximumRetryAttempts !== current.MaximumRetryAttempts
  )
    changed.push('MaximumRetryAttempts');
  if (
    (wanted.DestinationConfig?.OnFailure?.Destination ?? undefined) !==
    (current.DestinationConfig?.OnFailure?.Destination || undefined)
  )
    changed.push('DestinationConfig');
  const pollers = (config: { MinimumPollers?: number; MaximumPollers?: number } | undefined) =>
    config ? `${config.MinimumPollers ?? ''}-${config.MaximumPollers ?? ''}` : '';
  if (pollers(wanted.ProvisionedPollerConfig) !== pollers(current.ProvisionedPollerConfig))
    changed.push('ProvisionedPollerConfig');
  return changed;
}

async function findMapping(
  lambda: LambdaClient,
  options: KafkaTriggerOptions,
): Promise<EventSourceMappingConfiguration | undefined> {
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListEventSourceMappingsCommand({
        FunctionName: options.functionName,
        ...(options.mskClusterArn ? { EventSourceArn: options.mskClusterArn } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    const found = (page.EventSourceMappings ?? []).find((m) => isSameKafkaTrigger(m, options));
    if (found) return found;
    marker = page.NextMarker;
  } while (marker);
  return undefined;
}

/** Wait while the mapping is in a transition state; returns the last state seen. */
async function settle(lambda: LambdaClient, uuid: string, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { State: state = 'Unknown' } = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (['Enabled', 'Disabled'].includes(state) || Date.now() >= deadline) return state;
    await sleep(500);
  }
}

/**
 * Create the Kafka event source mapping of `functionName`, or bring an
 * existing one (same function, topic and cluster) to the wanted settings.
 * Running it again changes nothing. Create-only settings (consumer group,
 * starting position) of an existing mapping are reported in `notApplied`.
 */
export async function ensureKafkaEventSourceMapping(
  options: KafkaTriggerOptions,
): Promise<KafkaTriggerResult> {
  validate(options);
  const lambda = options.lambda ?? new LambdaClient({});
  const logger = options.logger ?? silentLogger;
  const waitMs = options.waitMs ?? defaultKafkaTriggerOptions.waitMs;
  const topic = options.topic ?? defaultKafkaTriggerOptions.topic;
  const wanted = wantedSettings(options);
  const existing = await findMapping(lambda, options);
  if (existing?.UUID) {
    if (['Creating', 'Updating', 'Enabling', 'Disabling'].includes(existing.State ?? ''))
      await settle(lambda, existing.UUID, waitMs);
    if (existing.State === 'Deleting')
      throw new LambdaInvokeError(
        `the mapping ${existing.UUID} is being deleted; run deploy again`,
        undefined,
      );
    const notApplied: string[] = [];
    const group = existing.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId;
    if (options.consumerGroupId && group && group !== options.consumerGroupId)
      notApplied.push('ConsumerGroupId');
    const changed = changedSettings(existing, wanted);
    if (changed.length === 0) {
      logger.info('event source mapping unchanged', { uuid: existing.UUID });
      return { uuid: existing.UUID, mapping: 'unchanged', state: existing.State ?? 'Unknown', notApplied };
    }
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: existing.UUID,
        FunctionName: options.functionName,
        ...wanted,
      }),
    );
    logger.info('event source mapping updated', { uuid: existing.UUID, changed });
    const state = waitMs > 0 ? await settle(lambda, existing.UUID, waitMs) : (updated.State ?? 'Updating');
    return { uuid: existing.UUID, mapping: 'updated', state, notApplied };
  }
  const input: CreateEventSourceMappingCommandInput = {
    FunctionName: options.functionName,
    Topics: [topic],
    StartingPosition: options.startingPosition ?? defaultKafkaTriggerOptions.startingPosition,
    ...wanted,
  };
  if (options.mskClusterArn) {
    input.EventSourceArn = options.mskClusterArn;
    if (options.consumerGroupId)
      input.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: options.consumerGroupId };
  } else {
    input.SelfManagedEventSource = {
      Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [...(options.bootstrapServers ?? [])] },
    };
    if (options.consumerGroupId)
      input.SelfManagedKafkaEventSourceConfig = { ConsumerGroupId: options.consumerGroupId };
  }
  const created = await lambda.send(new CreateEventSourceMappingCommand(input));
  const uuid = created.UUID!;
  logger.info('event source mapping created', { uuid, topic });
  const state = waitMs > 0 ? await settle(lambda, uuid, waitMs) : (created.State ?? 'Creating');
  return { uuid, mapping: 'created', state, notApplied: [] };
}
