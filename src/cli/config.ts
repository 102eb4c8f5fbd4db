/**
 * Turning parsed flags into the primitives' options.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { kafkaSaslFromEnv } from '../config/env.ts';
import { ConfigError } from '../errors.ts';
import type { KafkaConnectionOptions } from '../kafka/client.ts';
import { loadOpenSkyCredentials } from '../opensky/auth.ts';
import type { BoundingBox, CreditTier } from '../opensky/credits.ts';
import type { OpenSkySourceOptions } from '../opensky/source.ts';
import { parseDuration } from './options.ts';

export type Argv = Record<string, unknown>;

const str = (argv: Argv, key: string): string | undefined => {
  const value = argv[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
};

export function kafkaFromArgv(argv: Argv, env: NodeJS.ProcessEnv): KafkaConnectionOptions {
  const options: KafkaConnectionOptions = {
    brokers: String(argv.brokers)
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    clientId: str(argv, 'client-id') ?? 'opensky-stream',
  };
  if (argv['kafka-ssl']) options.ssl = true;
  const sasl = kafkaSaslFromEnv(str(argv, 'sasl-mechanism'), env, '--sasl-mechanism');
  if (sasl) options.sasl = sasl;
  return options;
}

/** AWS SDK client configuration from `--region` / `--endpoint-url`; test credentials for a local endpoint. */
export function awsConfig(argv: Argv, env: NodeJS.ProcessEnv) {
  const endpoint = str(argv, 'endpoint-url');
  const local = endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
  const credentials =
    local && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { accessKeyId: 'test', secretAccessKey: 'test' }
      : undefined;
  return {
    region: str(argv, 'region') ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

export function awsClients(argv: Argv, env: NodeJS.ProcessEnv) {
  const config = awsConfig(argv, env);
  return {
    lambda: new LambdaClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    iam: new IAMClient(config),
  };
}

/** `lamin,lomin,lamax,lomax` → a box. */
export function parseBbox(value: string | undefined): BoundingBox | undefined {
  if (!value) return undefined;
  const parts = value.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    throw new ConfigError('--bbox', `must be lamin,lomin,lamax,lomax in degrees (got '${value}')`);
  }
  const [lamin, lomin, lamax, lomax] = parts as [number, number, number, number];
  return { lamin, lomin, lamax, lomax };
}

export function sourceFromArgv(argv: Argv, env: NodeJS.ProcessEnv): OpenSkySourceOptions {
  const credentials = loadOpenSkyCredentials({ file: str(argv, 'credentials-file'), env });
  const options: OpenSkySourceOptions = {
    baseUrl: str(argv, 'base-url'),
    intervalMs: parseDuration(argv.interval as string, 'interval') ?? 3000,
    requestTimeoutMs: parseDuration(argv['request-timeout'] as string, 'request-timeout') ?? 15_000,
    extended: Boolean(argv.extended),
    budget: (str(argv, 'budget') ?? 'warn') as OpenSkySourceOptions['budget'],
  };
  const bbox = parseBbox(str(argv, 'bbox'));
  if (bbox) options.bbox = bbox;
  const icao24 = str(argv, 'icao24');
  if (icao24) options.icao24 = icao24.split(',').map((id) => id.trim().toLowerCase());
  if (credentials) options.credentials = credentials;
  const tier = str(argv, 'tier');
  if (tier) options.tier = tier as CreditTier;
  if (argv['max-snapshots'] !== undefined) options.maxSnapshots = Number(argv['max-snapshots']);
  return options;
}
