/**
 * The default SNS client, built from the environment.
 *
 * @module
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { awsEndpointFromEnv } from '../aws/endpoint-env.ts';
import { DEFAULT_AWS_REGION } from '../config/defaults.ts';
import { defaultSnsPublisherOptions } from './options.ts';

/** Options of {@link createSnsClient}. */
export interface SnsClientOptions {
  /** @default env `AWS_REGION`, then `AWS_DEFAULT_REGION`; `us-east-1` when only an endpoint is set */
  region?: string;
  /** @default env `AWS_ENDPOINT_URL_SNS`, then `AWS_ENDPOINT_URL` (e.g. `http://127.0.0.1:4566`) */
  endpoint?: string;
  /** Where to read the variables. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * How long a request may take, connecting included, ms; 0 for no limit (the SDK's own default).
   * @default 10000 (the publisher's `requestTimeoutMs`)
   */
  requestTimeoutMs?: number;
}

/**
 * An SNSClient for the region and endpoint in the environment. Credentials
 * come from the SDK's default chain. The SDK's own retries are turned off
 * (`maxAttempts: 1`): the publisher retries, per entry, and counts it. Requests
 * time out after `requestTimeoutMs` (the SDK has no timeout by default, and since
 * `@smithy/node-http-handler` 4.4 a `requestTimeout` only warns unless
 * `throwOnRequestTimeout` is set).
 */
export function createSnsClient(options: SnsClientOptions = {}): SNSClient {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? awsEndpointFromEnv('SNS', env);
  const region =
    options.region ??
    (env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? DEFAULT_AWS_REGION : undefined));
  const timeout = options.requestTimeoutMs ?? defaultSnsPublisherOptions.requestTimeoutMs;
  return new SNSClient({
    maxAttempts: 1,
    ...(timeout > 0
      ? {
          requestHandler: {
            requestTimeout: timeout,
            connectionTimeout: timeout,
            throwOnRequestTimeout: true,
          },
        }
      : {}),
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
  });
}
