/**
 * Options of an on-failure destination: the typed interface, its defaults,
 * and validation that names the offending option.
 *
 * @module
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../errors.ts';

/** Options of `createOnFailureDestination`. */
export interface OnFailureDestinationOptions {
  /**
   * The cluster's bootstrap servers, for the record's `KafkaBatchInfo.bootstrapServers`
   * (joined with commas, as in the event).
   * @default []
   */
  bootstrapServers?: readonly string[];
  /** `KafkaBatchInfo.eventSourceArn`: the MSK cluster's ARN. Self-managed Kafka has none. @default undefined (left out) */
  eventSourceArn?: string;
  /**
   * The function's ARN for `requestContext.functionArn`, or how to make it from the
   * function name the poller reports. A name that is already an ARN is kept.
   * @default `arn:<partition>:lambda:<region>:<account>:function:<name>`, with the destination ARN's partition, region and account
   */
  functionArn?: string | ((functionName: string) => string);
  /** `responseContext.executedVersion` when the function ran. @default '$LATEST' */
  executedVersion?: string;
  /** SQS client for a queue destination (SendMessage, GetQueueUrl). @default a client for the queue's region, endpoint from env `AWS_ENDPOINT_URL_SQS` or `AWS_ENDPOINT_URL`, SDK retries off */
  sqs?: Pick<SQSClient, 'send'>;
  /** SNS client for a topic destination (Publish). @default a client for the topic's region, endpoint from env `AWS_ENDPOINT_URL_SNS` or `AWS_ENDPOINT_URL`, SDK retries off */
  sns?: Pick<SNSClient, 'send'>;
  /** The clock for the record's `timestamp`. @default () => new Date() */
  now?: () => Date;
}

/** Defaults of {@link OnFailureDestinationOptions}. */
export const defaultOnFailureDestinationOptions = {
  bootstrapServers: [],
  executedVersion: '$LATEST',
  now: () => new Date(),
} as const satisfies OnFailureDestinationOptions;

/** Options after defaults. */
export type ResolvedOnFailureDestinationOptions = OnFailureDestinationOptions &
  Required<Pick<OnFailureDestinationOptions, 'bootstrapServers' | 'executedVersion' | 'now'>>;

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveOnFailureDestinationOptions(
  options: OnFailureDestinationOptions = {},
): ResolvedOnFailureDestinationOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...defaultOnFailureDestinationOptions, ...given } as ResolvedOnFailureDestinationOptions;
  if (
    !Array.isArray(o.bootstrapServers) ||
    !o.bootstrapServers.every((s) => typeof s === 'string' && s !== '')
  )
    throw new ConfigError('/options/bootstrapServers', 'must be an array of host:port strings');
  if (
    o.eventSourceArn !== undefined &&
    (typeof o.eventSourceArn !== 'string' || !o.eventSourceArn.startsWith('arn:'))
  )
    throw new ConfigError('/options/eventSourceArn', 'must be an ARN');
  if (o.functionArn !== undefined && typeof o.functionArn !== 'function') {
    if (
      typeof o.functionArn !== 'string' ||
      !/^arn:[^:]+:lambda:[^:]+:\d{12}:function:.+$/.test(o.functionArn)
    )
      throw new ConfigError('/options/functionArn', 'must be a Lambda function ARN or a function');
  }
  if (typeof o.executedVersion !== 'string' || o.executedVersion === '')
    throw new ConfigError('/options/executedVersion', 'must be a non-empty string');
  for (const key of ['sqs', 'sns'] as const) {
    const client = o[key] as { send?: unknown } | undefined;
    if (client !== undefined && (typeof client !== 'object' || typeof client.send !== 'function'))
      throw new ConfigError(
        `/options/${key}`,
        `must be an ${key.toUpperCase()}Client (an object with send())`,
      );
  }
  if (typeof o.now !== 'function') throw new ConfigError('/options/now', 'must be a function');
  return o;
}
