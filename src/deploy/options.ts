/**
 * Options of {@link deployPipelineResources} and {@link destroyPipelineResources}:
 * the typed interfaces, their defaults, and validation that names the option.
 *
 * @module
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_FUNCTION_NAME, DEFAULT_SNS_TOPIC_NAME } from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { isValidTopicName } from '../sns/topic.ts';

/** Options of `deployPipelineResources`. */
export interface DeployOptions {
  /** @default 'opensky-stream-processor' */
  functionName?: string;
  /** @default 'FlightNotifications' */
  topicName?: string;
  /** An existing execution role; when absent the role `opensky-stream-lambda` is created or reused. */
  roleArn?: string;
  /** @default 'nodejs22.x' */
  runtime?: string;
  /** Seconds, 1–900. @default 30 */
  timeout?: number;
  /** MB, 128–10,240. @default 256 */
  memorySize?: number;
  /** Extra environment variables of the function (SNS_TOPIC_ARN is set for you). */
  environment?: Record<string, string>;
  /**
   * Your deployment package (a zip); the function is marked as running your code.
   * Without it, the reference handler's bundle, which never replaces code deploy did not build.
   */
  zip?: Uint8Array;
  /** The handler setting, `file.export`. @default 'index.handler' */
  handler?: string;
  /**
   * Replace the code of a function whose code deploy did not build (your own, or
   * one opensky-stream never deployed). @default false
   */
  force?: boolean;
  /** Clients; default ones are built from the environment (AWS_REGION, AWS_ENDPOINT_URL, …). */
  lambda?: LambdaClient;
  sns?: SNSClient;
  iam?: IAMClient;
  logger?: Logger;
}

/** Defaults of {@link DeployOptions}. */
export const defaultDeployOptions = {
  functionName: DEFAULT_FUNCTION_NAME,
  topicName: DEFAULT_SNS_TOPIC_NAME,
  runtime: 'nodejs22.x',
  timeout: 30,
  memorySize: 256,
  environment: {},
  handler: 'index.handler',
  force: false,
} as const satisfies Partial<DeployOptions>;

/** Options after defaults. */
export type ResolvedDeployOptions = DeployOptions &
  Required<
    Pick<
      DeployOptions,
      | 'functionName'
      | 'topicName'
      | 'runtime'
      | 'timeout'
      | 'memorySize'
      | 'environment'
      | 'handler'
      | 'force'
    >
  >;

// Lambda's limits: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const HANDLER = /^[^\s]{1,128}$/;
const integerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Validate a function name as Lambda does (1–64 letters, digits, `-`, `_`); throws {@link ConfigError}. */
export function checkFunctionName(name: unknown, path = '/options/functionName'): string {
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name))
    throw new ConfigError(path, `must be 1–64 letters, digits, - or _, got '${String(name)}'`);
  return name;
}

/** `options` over `defaults`, skipping `undefined`; the function and topic names checked. */
function overlay<T extends { functionName: string; topicName: string }>(
  defaults: object,
  options: object,
): T {
  if (typeof options !== 'object' || options === null) throw new ConfigError('/options', 'must be an object');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...defaults, ...given } as T;
  checkFunctionName(o.functionName);
  if (typeof o.topicName !== 'string' || !isValidTopicName(o.topicName))
    throw new ConfigError(
      '/options/topicName',
      `must be a valid SNS topic name, got '${String(o.topicName)}'`,
    );
  return o;
}

/** Overlay `options` on the defaults (skipping `undefined`) and validate; throws {@link ConfigError}. */
export function resolveDeployOptions(options: DeployOptions = {}): ResolvedDeployOptions {
  const o = overlay<ResolvedDeployOptions>(defaultDeployOptions, options);
  if (typeof o.runtime !== 'string' || o.runtime === '')
    throw new ConfigError('/options/runtime', 'must be a Lambda runtime such as nodejs22.x');
  if (!integerIn(o.timeout, 1, 900))
    throw new ConfigError(
      '/options/timeout',
      `must be a whole number of seconds from 1 to 900, got ${o.timeout}`,
    );
  if (!integerIn(o.memorySize, 128, 10_240))
    throw new ConfigError(
      '/options/memorySize',
      `must be a whole number of MB from 128 to 10240, got ${o.memorySize}`,
    );
  if (typeof o.handler !== 'string' || !HANDLER.test(o.handler) || !o.handler.includes('.'))
    throw new ConfigError(
      '/options/handler',
      `must be file.export (like index.handler), got '${String(o.handler)}'`,
    );
  if (o.zip !== undefined && !(o.zip instanceof Uint8Array))
    throw new ConfigError('/options/zip', 'must be the bytes of a zip file');
  if (typeof o.force !== 'boolean') throw new ConfigError('/options/force', 'must be a boolean');
  return o;
}

/** Options of `destroyPipelineResources`. */
export interface DestroyOptions {
  /** @default 'opensky-stream-processor' */
  functionName?: string;
  /** The SNS topic to delete. @default 'FlightNotifications' */
  topicName?: string;
  /** Clients; default ones are built from the environment. */
  lambda?: LambdaClient;
  sns?: SNSClient;
  iam?: IAMClient;
  logger?: Logger;
}

/** Defaults of {@link DestroyOptions}. */
export const defaultDestroyOptions = {
  functionName: defaultDeployOptions.functionName,
  topicName: defaultDeployOptions.topicName,
} as const satisfies Partial<DestroyOptions>;

/** Options after defaults. */
export type ResolvedDestroyOptions = DestroyOptions &
  Required<Pick<DestroyOptions, 'functionName' | 'topicName'>>;

/** Overlay `options` on the defaults and validate; throws {@link ConfigError}. */
export function resolveDestroyOptions(options: DestroyOptions = {}): ResolvedDestroyOptions {
  return overlay<ResolvedDestroyOptions>(defaultDestroyOptions, options);
}
