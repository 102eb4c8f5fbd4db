/**
 * The endpoint an AWS SDK client takes from the environment for a service:
 * `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL` (AWS's "service-specific
 * endpoints"). Read in one place for the clients this package builds itself; the
 * SDK resolves these only on its own request path, so `client.config` does not
 * show them, and a request signed from that configuration needs them given.
 *
 * @module
 */

/** `AWS_ENDPOINT_URL_<service>`, else `AWS_ENDPOINT_URL`; `undefined` when both are unset or empty. */
export function awsEndpointFromEnv(
  service: 'SNS' | 'SQS' | 'CLOUDWATCH',
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
