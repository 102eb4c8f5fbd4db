/**
 * Flags shared by several commands. Every flag can also come from the
 * environment; `--help` shows the variable and the default for each.
 */
import type { Options } from 'yargs';

type Env = NodeJS.ProcessEnv;

/**
 * A flag whose default comes from `envName` when set. The help text names the
 * variable and the built-in default.
 */
export function envOption(
  env: Env,
  envName: string,
  spec: Options & { describe: string; default?: string | number | boolean },
): Options {
  const raw = env[envName];
  const { default: fallback, describe, ...rest } = spec;
  let value: unknown = fallback;
  if (raw !== undefined && raw !== '') {
    value =
      spec.type === 'number' ? Number(raw) : spec.type === 'boolean' ? /^(1|true|yes)$/i.test(raw) : raw;
  }
  return {
    ...rest,
    describe: `${describe} [env ${envName}]`,
    ...(value === undefined ? {} : { default: value }),
    ...(raw !== undefined && raw !== '' ? { defaultDescription: `$${envName} (${raw})` } : {}),
  };
}

export const kafkaOptions = (env: Env) => ({
  brokers: envOption(env, 'KAFKA_BROKERS', {
    type: 'string',
    describe: 'Kafka bootstrap brokers, comma-separated host:port',
    default: '127.0.0.1:9092',
    group: 'Kafka:',
  }),
  topic: envOption(env, 'KAFKA_TOPIC', {
    type: 'string',
    describe: 'Kafka topic of raw state vectors',
    default: 'aviation-data',
    group: 'Kafka:',
  }),
  'client-id': envOption(env, 'KAFKA_CLIENT_ID', {
    type: 'string',
    describe: 'Kafka client id',
    default: 'opensky-stream',
    group: 'Kafka:',
  }),
  'kafka-ssl': envOption(env, 'KAFKA_SSL', {
    type: 'boolean',
    describe: 'Connect to Kafka over TLS',
    default: false,
    group: 'Kafka:',
  }),
  'sasl-mechanism': envOption(env, 'KAFKA_SASL_MECHANISM', {
    type: 'string',
    describe:
      'SASL mechanism: plain, scram-sha-256 or scram-sha-512 (credentials from KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD)',
    choices: ['plain', 'scram-sha-256', 'scram-sha-512'],
    group: 'Kafka:',
  }),
});

export const awsOptions = (env: Env) => ({
  region: envOption(env, 'AWS_REGION', {
    type: 'string',
    describe: 'AWS region',
    default: 'us-east-1',
    group: 'AWS:',
  }),
  'endpoint-url': envOption(env, 'AWS_ENDPOINT_URL', {
    type: 'string',
    describe: 'AWS API endpoint (the local stack or LocalStack: http://127.0.0.1:4566); unset for real AWS',
    group: 'AWS:',
  }),
});

export const logOptions = (env: Env) => ({
  'log-level': envOption(env, 'OPENSKY_STREAM_LOG_LEVEL', {
    type: 'string',
    describe: 'Log level of the JSON lines written to stderr',
    choices: ['debug', 'info', 'warn', 'error', 'silent'],
    default: 'info',
  }),
});

/** Parse a positive duration like `90s`, `5m`, `1h` or plain seconds into milliseconds. */
export function parseDuration(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value).trim());
  if (!match) throw new Error(`--${flag} must be a duration like 30s, 5m, 1h (got '${value}')`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
