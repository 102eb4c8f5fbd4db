/**
 * Flags shared by several commands, and the parsers flags use. Every flag can
 * also come from the environment; `--help` shows the variable and the default
 * for each (src/cli/flags.ts).
 */

import type { Options } from 'yargs';
import {
  DEFAULT_AWS_REGION,
  DEFAULT_FUNCTION_NAME,
  DEFAULT_KAFKA_BROKERS,
  DEFAULT_KAFKA_TOPIC,
  DEFAULT_SNS_TOPIC_NAME,
} from '../config/defaults.ts';
import { ConfigError } from '../errors.ts';
import { KafkaClientNames } from '../kafka/clients/types.ts';
import { flags } from './flags.ts';

type Env = NodeJS.ProcessEnv;

/**
 * A yargs option whose default comes from `envName` when set. The help text
 * names the variable and the built-in default. For options outside a flag
 * table (the commands' own are declared with {@link flags}).
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

/** The Kafka connection, for every command that talks to Kafka. */
export const kafkaFlags = flags({
  brokers: {
    type: 'string',
    to: 'kafka.brokers',
    env: 'KAFKA_BROKERS',
    describe: 'Kafka bootstrap brokers, comma-separated host:port',
    default: DEFAULT_KAFKA_BROKERS.join(','),
    group: 'Kafka:',
    parse: (value: string) => splitList(value),
  },
  topic: {
    type: 'string',
    to: 'kafka.topic',
    env: 'KAFKA_TOPIC',
    describe: 'Kafka topic of raw state vectors',
    default: DEFAULT_KAFKA_TOPIC,
    group: 'Kafka:',
  },
  'client-id': {
    type: 'string',
    to: 'kafka.clientId',
    env: 'KAFKA_CLIENT_ID',
    describe: 'Kafka client id',
    default: 'opensky-stream',
    group: 'Kafka:',
  },
  'kafka-ssl': {
    type: 'boolean',
    to: 'kafka.ssl',
    env: 'KAFKA_SSL',
    describe: 'Connect to Kafka over TLS',
    default: false,
    group: 'Kafka:',
  },
  'sasl-mechanism': {
    type: 'string',
    to: 'kafka.saslMechanism',
    env: 'KAFKA_SASL_MECHANISM',
    describe:
      'SASL mechanism: plain, scram-sha-256 or scram-sha-512 (credentials from KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD)',
    choices: ['plain', 'scram-sha-256', 'scram-sha-512'],
    group: 'Kafka:',
  },
});

/**
 * The Kafka library, for the commands that produce or consume (produce, bridge, demo); the
 * others make a few admin calls, through kafkajs.
 */
export const kafkaClientFlags = flags({
  'kafka-client': {
    type: 'string',
    to: 'kafka.client',
    env: 'KAFKA_CLIENT',
    describe: 'Kafka client library: kafkajs, or @platformatic/kafka (maintained, background heartbeats)',
    choices: KafkaClientNames,
    default: 'kafkajs',
    group: 'Kafka:',
  },
});

/** The AWS API: region and endpoint. */
export const awsFlags = flags({
  region: {
    type: 'string',
    to: 'aws.region',
    env: 'AWS_REGION',
    describe: 'AWS region',
    default: DEFAULT_AWS_REGION,
    group: 'AWS:',
  },
  'endpoint-url': {
    type: 'string',
    to: 'aws.endpoint',
    env: 'AWS_ENDPOINT_URL',
    describe: 'AWS API endpoint (the local stack or LocalStack: http://127.0.0.1:4566); unset for real AWS',
    group: 'AWS:',
  },
});

export const logFlags = flags({
  'log-level': {
    type: 'string',
    to: 'logLevel',
    env: 'OPENSKY_STREAM_LOG_LEVEL',
    describe: 'Log level of the JSON lines written to stderr',
    choices: ['debug', 'info', 'warn', 'error', 'silent'],
    default: 'info',
  },
});

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** `--duration`: how long a command runs. */
export const durationFlag = (describe = 'Stop after this long (30s, 5m, 1h)') =>
  flags({ duration: { type: 'string', to: 'durationMs', describe, parse: positiveDuration } });

/**
 * Parse a duration like `90s`, `5m`, `1h` or plain seconds into milliseconds;
 * `ConfigError` (exit 2) when it is not one. Negative durations are refused
 * by name; zero passes (it means "none" where a flag allows it, e.g. a
 * batching window): flags that need more say so with {@link positiveDuration}.
 */
export function parseDuration(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value).trim();
  if (/^-\d/.test(text))
    throw new ConfigError(`--${flag}`, `must be a positive duration like 30s, 5m, 1h (got '${value}')`);
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new ConfigError(`--${flag}`, `must be a duration like 30s, 5m, 1h (got '${value}')`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** A duration above zero, in milliseconds; a `ConfigError` naming `--flag` otherwise. */
export function positiveDuration(value: string, flag: string): number {
  const ms = parseDuration(value, flag);
  if (ms === undefined || ms === 0)
    throw new ConfigError(`--${flag}`, `must be a positive duration like 30s, 5m, 1h (got '${value}')`);
  return ms;
}

/** A duration of zero or more, in milliseconds (zero: none); a `ConfigError` naming `--flag` otherwise. */
export function duration(value: string, flag: string): number {
  const ms = parseDuration(value, flag);
  if (ms === undefined) throw new ConfigError(`--${flag}`, `must be a duration like 30s, 5m, 1h (got '')`);
  return ms;
}

/** A whole number of at least `min`, for a flag's parser; a `ConfigError` naming `--flag` otherwise. */
export const wholeNumber =
  (min = 1) =>
  (value: number, flag: string): number => {
    if (!Number.isInteger(value) || value < min)
      throw new ConfigError(`--${flag}`, `must be a whole number of at least ${min} (got ${value})`);
    return value;
  };

/**
 * `--interval -1s` reaches yargs as the flag `--interval` and the short flags
 * `-1` and `-s` ("Unknown arguments: 1, s"); yargs only takes negative *numbers*
 * as values. Join such a token to the long flag before it (`--interval=-1s`),
 * so the flag's own check names the problem. No flag of ours is a digit, so a
 * token starting with `-` and a digit is always a value.
 */
export function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const previous = out.at(-1);
    const negativeWord = /^-\d/.test(arg) && !/^-\d+(\.\d+)?$/.test(arg);
    if (negativeWord && previous?.startsWith('--') && !previous.includes('=') && previous !== '--') {
      out[out.length - 1] = `${previous}=${arg}`;
    } else {
      out.push(arg);
    }
  }
  return out;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/** Parse a byte size like `64MiB`, `512KiB`, `1GB` (powers of 1000), `64M` (of 1024) or plain bytes. */
export function parseSize(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(value).trim());
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new ConfigError(`--${flag}`, `must be a size like 64MiB, 512KiB, 1GiB or bytes (got '${value}')`);
  return bytes;
}

/** The function a command deploys, invokes, reads or removes. */
export const functionNameFlag = flags({
  'function-name': {
    type: 'string',
    to: 'functionName',
    env: 'LAMBDA_FUNCTION_NAME',
    describe: 'Function name',
    default: DEFAULT_FUNCTION_NAME,
  },
});

/** The pipeline's SNS topic, by name. */
export const topicNameFlag = flags({
  'topic-name': {
    type: 'string',
    to: 'topicName',
    env: 'SNS_TOPIC_NAME',
    describe: 'SNS topic',
    default: DEFAULT_SNS_TOPIC_NAME,
  },
});
