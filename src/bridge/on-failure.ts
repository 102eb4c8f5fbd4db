/**
 * On-failure destinations of a Kafka event source mapping: where the records
 * of discarded batches go, in the form AWS documents ("Capturing discarded
 * batches for Amazon MSK and self-managed Apache Kafka event sources").
 *
 * - An SQS queue or SNS topic gets an *invocation record*: `requestContext`,
 *   `responseContext` ("null if record is MaximumPayloadSizeExceeded"),
 *   `version`, `timestamp` and `KafkaBatchInfo` whose `recordsInfo` holds, per
 *   `<topic>-<partition>`, the first and last offsets and timestamps. It carries
 *   metadata only: the batch itself (`payload`) is "Only available in S3" (and
 *   in a Kafka destination), so the 256 KB limit under which AWS drops the
 *   payload for SNS has no payload to drop here.
 * - A `kafka://<topic>` destination gets one message per record, with the
 *   record as `payload` ({@link buildKafkaDestinationRecord}); the poller's own
 *   dead-letter producer sends those.
 *
 * A failed send is thrown (the poller retries it): records are never dropped
 * on the way to a destination.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsEndpointFromEnv } from '../aws/endpoint-env.ts';
import { ConfigError, ErrorCodes, OpenSkyStreamError, type OpenSkyStreamErrorOptions } from '../errors.ts';
import { buildKafkaEvent, type ConsumedRecord, type KafkaEvent } from '../handler/event.ts';
import { classifyError } from '../sns/classify.ts';
import { createSnsClient } from '../sns/client.ts';
import type { FailedRecords, FailureReason } from './dead-letter.ts';
import {
  type OnFailureDestinationOptions,
  resolveOnFailureDestinationOptions,
} from './on-failure-options.ts';

/** `requestContext.condition` per reason. */
export const FAILURE_CONDITIONS = {
  'retries-exhausted': 'RetryAttemptsExhausted',
  // Not in AWS's Kafka example, which shows the other two; the name AWS's stream sources use.
  expired: 'RecordAgeExceeded',
  unrepresentable: 'MaximumPayloadSizeExceeded',
} as const satisfies Record<FailureReason, string>;

/** First and last records of one `<topic>-<partition>` of a discarded batch. */
export interface KafkaRecordsInfo {
  firstRecordOffset: string;
  lastRecordOffset: string;
  firstRecordTimestamp: string;
  lastRecordTimestamp: string;
}

interface RecordContexts {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: (typeof FAILURE_CONDITIONS)[FailureReason];
    approximateInvokeCount: number;
  };
  /** `null` when the function never answered for these records. */
  responseContext: { statusCode: number; executedVersion: string; functionError?: string } | null;
  version: '1.0';
  timestamp: string;
}

/** What an SQS queue or SNS topic destination receives, as JSON. */
export interface KafkaInvocationRecord extends RecordContexts {
  KafkaBatchInfo: {
    batchSize: number;
    eventSourceArn?: string;
    bootstrapServers: string;
    /** Bytes of the event these records make. */
    payloadSize: number;
    recordsInfo: Record<string, KafkaRecordsInfo>;
  };
}

/** What a Kafka topic destination receives for one record, as JSON. */
export interface KafkaDestinationRecord extends RecordContexts {
  KafkaBatchInfo: {
    batchSize: 1;
    eventSourceArn?: string;
    bootstrapServers: string;
    payloadSize: number;
    recordInfo: { offset: string; timestamp: string };
  };
  payload: KafkaEvent;
}

/** What a record of discarded records needs besides the records. */
export interface InvocationRecordContext {
  functionArn: string;
  bootstrapServers: readonly string[];
  /** MSK only. */
  eventSourceArn?: string;
  /** @default '$LATEST' */
  executedVersion?: string;
  /** @default a random UUID */
  requestId?: string;
  /** @default now */
  timestamp?: Date;
}

const FUNCTION_ERRORS = new Set(['Handled', 'Unhandled']);

const isoTime = (timestamp: string) => new Date(Number(timestamp)).toISOString();

function contexts(failure: FailedRecords, context: InvocationRecordContext): RecordContexts {
  const ran = failure.reason !== 'unrepresentable' && failure.attempts > 0;
  const functionError = failure.error?.type;
  return {
    requestContext: {
      requestId: context.requestId ?? randomUUID(),
      functionArn: context.functionArn,
      condition: FAILURE_CONDITIONS[failure.reason],
      approximateInvokeCount: failure.attempts,
    },
    responseContext: ran
      ? {
          statusCode: 200,
          executedVersion: context.executedVersion ?? '$LATEST',
          ...(functionError !== undefined && FUNCTION_ERRORS.has(functionError) ? { functionError } : {}),
        }
      : null,
    version: '1.0',
    timestamp: (context.timestamp ?? new Date()).toISOString(),
  };
}

/** The event `records` make, as the mapping would send it (MSK's when there is a cluster ARN). */
function eventOf(records: readonly ConsumedRecord[], context: InvocationRecordContext): KafkaEvent {
  const event = buildKafkaEvent(records, context.bootstrapServers);
  if (context.eventSourceArn === undefined) return event;
  return { ...event, eventSource: 'aws:kafka', eventSourceArn: context.eventSourceArn };
}

const eventBytes = (event: KafkaEvent) => Buffer.byteLength(JSON.stringify(event));

/**
 * The invocation record AWS sends an SQS queue or SNS topic for a discarded
 * Kafka batch: offsets and timestamps per `<topic>-<partition>`, no records.
 */
export function buildKafkaInvocationRecord(
  failure: FailedRecords,
  context: InvocationRecordContext,
): KafkaInvocationRecord {
  const recordsInfo: Record<string, KafkaRecordsInfo> = {};
  const bounds = new Map<string, { first: ConsumedRecord; last: ConsumedRecord }>();
  for (const record of failure.records) {
    const id = `${record.topic}-${record.partition}`;
    const seen = bounds.get(id);
    if (!seen) bounds.set(id, { first: record, last: record });
    else {
      if (BigInt(record.offset) < BigInt(seen.first.offset)) seen.first = record;
      if (BigInt(record.offset) > BigInt(seen.last.offset)) seen.last = record;
    }
  }
  for (const [id, { first, last }] of bounds) {
    recordsInfo[id] = {
      firstRecordOffset: first.offset,
      lastRecordOffset: last.offset,
      firstRecordTimestamp: isoTime(first.timestamp),
      lastRecordTimestamp: isoTime(last.timestamp),
    };
  }
  return {
    ...contexts(failure, context),
    KafkaBatchInfo: {
      batchSize: failure.records.length,
      ...(context.eventSourceArn !== undefined ? { eventSourceArn: context.eventSourceArn } : {}),
      bootstrapServers: context.bootstrapServers.join(','),
      payloadSize: eventBytes(eventOf(failure.records, context)),
      recordsInfo,
    },
  };
}

/**
 * The message AWS produces to a `kafka://` destination for one discarded
 * record: the invocation record with `recordInfo` and the record as `payload`.
 * AWS keys it with the record's key.
 */
export function buildKafkaDestinationRecord(
  failure: FailedRecords,
  record: ConsumedRecord,
  context: InvocationRecordContext,
): KafkaDestinationRecord {
  const payload = eventOf([record], context);
  return {
    ...contexts(failure, context),
    KafkaBatchInfo: {
      batchSize: 1,
      ...(context.eventSourceArn !== undefined ? { eventSourceArn: context.eventSourceArn } : {}),
      bootstrapServers: context.bootstrapServers.join(','),
      payloadSize: eventBytes(payload),
      recordInfo: { offset: record.offset, timestamp: isoTime(record.timestamp) },
    },
    payload,
  };
}

/** A parsed `DestinationConfig.OnFailure.Destination`. */
export type ParsedDestination =
  | { type: 'sqs' | 'sns'; arn: string; partition: string; region: string; accountId: string; name: string }
  | { type: 'kafka'; topic: string };

const DESTINATION_PATH = '/DestinationConfig/OnFailure/Destination';
/** `OnFailure.Destination`'s length limit (Lambda API reference). */
export const MAX_DESTINATION_LENGTH = 350;
const ARN = /^arn:(aws[a-zA-Z-]*):([a-z0-9-]+):([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):(\d{12}):(.+)$/;
const KAFKA = /^kafka:\/\/([a-zA-Z0-9_-][a-zA-Z0-9._-]{0,248})$/;
const NAMES = { sqs: /^[A-Za-z0-9_-]{1,80}$/, sns: /^[A-Za-z0-9_-]{1,256}$/ };

/**
 * Parse an on-failure destination: an SQS queue ARN, an SNS topic ARN, or
 * `kafka://<topic>`. Throws {@link ConfigError} for anything else, FIFO queues
 * and topics included (the record has no message group or deduplication id).
 */
export function parseOnFailureDestination(destination: string): ParsedDestination {
  if (typeof destination !== 'string' || destination === '')
    throw new ConfigError(DESTINATION_PATH, 'must be an SQS queue ARN, an SNS topic ARN or kafka://<topic>');
  if (destination.length > MAX_DESTINATION_LENGTH)
    throw new ConfigError(DESTINATION_PATH, `must be at most ${MAX_DESTINATION_LENGTH} characters`);
  if (destination.startsWith('kafka://')) {
    const topic = KAFKA.exec(destination)?.[1];
    if (topic === undefined)
      throw new ConfigError(DESTINATION_PATH, `must name a Kafka topic after kafka://, got '${destination}'`);
    return { type: 'kafka', topic };
  }
  const [, partition, service, region, accountId, name] = ARN.exec(destination) ?? [];
  if (!partition || !service || !region || !accountId || name === undefined)
    throw new ConfigError(DESTINATION_PATH, `must be an ARN or kafka://<topic>, got '${destination}'`);
  if (service !== 'sqs' && service !== 'sns')
    throw new ConfigError(DESTINATION_PATH, `supports SQS queues, SNS topics and kafka://, not ${service}`);
  if (name.endsWith('.fifo'))
    throw new ConfigError(DESTINATION_PATH, 'must be a standard queue or topic, not FIFO');
  if (!NAMES[service].test(name))
    throw new ConfigError(DESTINATION_PATH, `has an invalid ${service.toUpperCase()} name '${name}'`);
  return { type: service, arn: destination, partition, region, accountId, name };
}

/** Sending to an on-failure destination failed; `retryable` when trying again may succeed. */
export class OnFailureDeliveryError extends OpenSkyStreamError {
  constructor(message: string, options: OpenSkyStreamErrorOptions = {}) {
    super(ErrorCodes.DESTINATION, message, options);
    this.name = 'OnFailureDeliveryError';
  }
}

/** An on-failure destination: SQS and SNS ones deliver; a Kafka one names the topic for the poller's producer. */
export type OnFailureTarget =
  | { kind: 'sqs' | 'sns'; arn: string; deliver(failure: FailedRecords): Promise<void> }
  | { kind: 'kafka'; topic: string };

/**
 * The destination `destination` names. For an SQS queue or SNS topic,
 * `deliver` sends each discarded batch's invocation record (SendMessage,
 * Publish) and throws {@link OnFailureDeliveryError} when that fails. For
 * `kafka://<topic>` it returns `{ kind: 'kafka', topic }`: produce
 * {@link buildKafkaDestinationRecord}s to that topic instead.
 */
export function createOnFailureDestination(
  destination: string,
  options: OnFailureDestinationOptions = {},
): OnFailureTarget {
  const o = resolveOnFailureDestinationOptions(options);
  const parsed = parseOnFailureDestination(destination);
  if (parsed.type === 'kafka') return { kind: 'kafka', topic: parsed.topic };
  const functionArn = (name: string) => {
    if (typeof o.functionArn === 'string') return o.functionArn;
    if (o.functionArn) return o.functionArn(name);
    return name.startsWith('arn:')
      ? name
      : `arn:${parsed.partition}:lambda:${parsed.region}:${parsed.accountId}:function:${name}`;
  };
  const send = parsed.type === 'sqs' ? sqsSender(parsed, o.sqs) : snsSender(parsed, o.sns);
  return {
    kind: parsed.type,
    arn: parsed.arn,
    async deliver(failure) {
      if (failure.records.length === 0) return;
      const record = buildKafkaInvocationRecord(failure, {
        functionArn: functionArn(failure.functionName),
        bootstrapServers: o.bootstrapServers,
        executedVersion: o.executedVersion,
        timestamp: o.now(),
        ...(o.eventSourceArn !== undefined ? { eventSourceArn: o.eventSourceArn } : {}),
      });
      try {
        await send(JSON.stringify(record));
      } catch (error) {
        const { code, message, retryable } = classifyError(error);
        throw new OnFailureDeliveryError(
          `cannot send the record of ${failure.records.length} discarded records to ${parsed.arn}: ${code}: ${message}`,
          {
            cause: error,
            retryable,
            details: { destination: parsed.arn, code, records: failure.records.length },
          },
        );
      }
    },
  };
}

type Parsed = Extract<ParsedDestination, { type: 'sqs' | 'sns' }>;

function sqsSender(queue: Parsed, client?: Pick<SQSClient, 'send'>) {
  const endpoint = awsEndpointFromEnv('SQS');
  const sqs =
    client ?? new SQSClient({ region: queue.region, maxAttempts: 1, ...(endpoint ? { endpoint } : {}) });
  // SendMessage takes a URL; the ARN gives the name and owner to look it up by (once, unless it fails).
  let queueUrl: Promise<string> | undefined;
  const lookUp = async () => {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.accountId }),
    );
    if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${queue.arn}`);
    return QueueUrl;
  };
  return async (body: string) => {
    queueUrl ??= lookUp();
    let QueueUrl: string;
    try {
      QueueUrl = await queueUrl;
    } catch (error) {
      queueUrl = undefined;
      throw error;
    }
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  };
}

function snsSender(topic: Parsed, client?: Pick<SNSClient, 'send'>) {
  const sns = client ?? createSnsClient({ region: topic.region });
  return async (body: string) => {
    await sns.send(new PublishCommand({ TopicArn: topic.arn, Message: body }));
  };
}
