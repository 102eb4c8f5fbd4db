/**
 * Flags shared by several commands. Every flag can also come from the
 * environment; `--help` shows the variable and the default for each.
 */
import type { Options } from 'yargs';
import { ConfigError } from '../errors.ts';

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

/** Throws a `ConfigError` naming `--flag` when `value` is not a duration above zero. */
export function checkPositiveDuration(value: unknown, flag: string): void {
  if (value === undefined || value === '') return;
  if (parseDuration(value as string, flag) === 0)
    throw new ConfigError(`--${flag}`, `must be a positive duration like 30s, 5m, 1h (got '${value}')`);
}

/** Throws a `ConfigError` naming `--flag` when `value` is not a whole number of at least `min`. */
export function checkWholeNumber(value: unknown, flag: string, min = 1): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new ConfigError(`--${flag}`, 'must be a number');
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(`--${flag}`, `must be a whole number of at least ${min} (got ${value})`);
}

/**
 * Flags checked as soon as they are parsed, for every command that has them
 * (a flag name means the same thing in every command): counts that must be
 * whole and positive and durations that must be above zero. A run that
 * silently does nothing (`produce --synthetic -5`) is worse than exit 2.
 */
export const FLAG_CHECKS: Readonly<Record<string, (value: unknown, flag: string) => void>> = {
  synthetic: (value, flag) => checkWholeNumber(value, flag),
  'max-snapshots': (value, flag) => checkWholeNumber(value, flag),
  sample: (value, flag) => checkWholeNumber(value, flag),
  partitions: (value, flag) => checkWholeNumber(value, flag),
  interval: checkPositiveDuration,
  'request-timeout': checkPositiveDuration,
  duration: checkPositiveDuration,
  since: checkPositiveDuration,
  'stale-after': checkPositiveDuration,
  'probe-every': checkPositiveDuration,
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

export const sourceOptions = (env: Env) => ({
  source: envOption(env, 'OPENSKY_STREAM_SOURCE', {
    type: 'string',
    describe:
      'Where aircraft come from: opensky, readsb, adsblol, airplaneslive, adsbfi or adsbx (adsb.lol, airplanes.live, adsb.fi, adsbexchange also work); a comma-separated list is a failover chain, most preferred first',
    default: 'opensky',
    group: 'Source:',
  }),
  // READSB_URL, the variable of --readsb-url before --source-url, still works.
  'source-url': envOption(
    env.OPENSKY_STREAM_SOURCE_URL ? env : { ...env, OPENSKY_STREAM_SOURCE_URL: env.READSB_URL },
    'OPENSKY_STREAM_SOURCE_URL',
    {
      type: 'string',
      alias: 'readsb-url',
      describe:
        "readsb: the receiver's aircraft.json (http://host/data/aircraft.json or a path); the others: a base URL (a mirror or a test server). In a chain, NAME=URL; repeat the flag for several",
      group: 'Source:',
    },
  ),
  point: envOption(env, 'OPENSKY_STREAM_POINT', {
    type: 'string',
    describe:
      'LAT,LON,RADIUS_NM: a radius instead of --bbox (one query up to 250 nm for the ADS-B networks; OpenSky gets the box around it)',
    group: 'Source:',
  }),
  'stale-after': envOption(env, 'OPENSKY_STREAM_STALE_AFTER', {
    type: 'string',
    describe:
      'A chain leaves its source after this long without newer data (default: 3 intervals, or 3 snapshots of a network over many circles)',
    group: 'Source:',
  }),
  'probe-every': envOption(env, 'OPENSKY_STREAM_PROBE_EVERY', {
    type: 'string',
    describe: 'On a fallback, try the more preferred sources this often (default: 20 intervals, at least 1m)',
    group: 'Source:',
  }),
  'base-url': envOption(env, 'OPENSKY_BASE_URL', {
    type: 'string',
    describe: 'OpenSky API base URL (a mirror or a local replay server can stand in)',
    default: 'https://opensky-network.org/api',
    group: 'OpenSky:',
  }),
  interval: envOption(env, 'OPENSKY_INTERVAL', {
    type: 'string',
    describe:
      'Polling interval (3s, 10s, 1m); the data itself changes every 10 s anonymous, 5 s authenticated',
    default: '3s',
    group: 'OpenSky:',
  }),
  bbox: envOption(env, 'OPENSKY_BBOX', {
    type: 'string',
    describe:
      'Bounding box lamin,lomin,lamax,lomax (degrees); smaller boxes cost fewer credits. The ADS-B networks need it or --point',
    group: 'OpenSky:',
  }),
  icao24: envOption(env, 'OPENSKY_ICAO24', {
    type: 'string',
    describe: 'Only these transponders, comma-separated hex',
    group: 'OpenSky:',
  }),
  extended: envOption(env, 'OPENSKY_EXTENDED', {
    type: 'boolean',
    describe: 'Ask for the aircraft category (18th field)',
    default: false,
    group: 'OpenSky:',
  }),
  'credentials-file': envOption(env, 'OPENSKY_CREDENTIALS_FILE', {
    type: 'string',
    describe:
      "OpenSky's credentials.json (clientId, clientSecret); or set OPENSKY_CLIENT_ID and OPENSKY_CLIENT_SECRET. Secrets are read from files or the environment only",
    group: 'OpenSky:',
  }),
  tier: envOption(env, 'OPENSKY_TIER', {
    type: 'string',
    describe: 'Account tier for credit budgeting (default: standard with credentials, else anonymous)',
    choices: ['anonymous', 'standard', 'feeder', 'licensed'],
    group: 'OpenSky:',
  }),
  budget: envOption(env, 'OPENSKY_BUDGET', {
    type: 'string',
    describe:
      'warn: warn when the interval would use up the daily credits; pace: stretch the interval so they last',
    choices: ['off', 'warn', 'pace'],
    default: 'warn',
    group: 'OpenSky:',
  }),
  'request-timeout': envOption(env, 'OPENSKY_REQUEST_TIMEOUT', {
    type: 'string',
    describe: 'Per-request timeout',
    default: '15s',
    group: 'OpenSky:',
  }),
  replay: {
    type: 'string' as const,
    describe:
      'Replay recorded snapshots (an NDJSON file from `record`, a JSON body, or a folder of them) instead of polling',
    group: 'Offline:',
  },
  synthetic: {
    type: 'number' as const,
    describe: 'Generate realistic traffic with this many aircraft per snapshot instead of polling',
    group: 'Offline:',
  },
  'max-snapshots': { type: 'number' as const, describe: 'Stop after this many snapshots' },
  duration: { type: 'string' as const, describe: 'Stop after this long (30s, 5m, 1h)' },
});

/**
 * yargs turns a `number` flag given a word into NaN without complaint: name the
 * flag instead (a `ConfigError`, so it exits 2 like any bad flag); then the
 * {@link FLAG_CHECKS}. Keys in camelCase are yargs's aliases of the dashed ones.
 */
export function checkNumbers(argv: Record<string, unknown>): true {
  for (const [key, value] of Object.entries(argv)) {
    if (/[A-Z]/.test(key)) continue;
    if (typeof value === 'number' && Number.isNaN(value))
      throw new ConfigError(`--${key}`, 'must be a number');
    FLAG_CHECKS[key]?.(value, key);
  }
  return true;
}

/** The function a command deploys, invokes, reads or removes. */
export const functionNameOption = (env: Env) => ({
  'function-name': envOption(env, 'LAMBDA_FUNCTION_NAME', {
    type: 'string',
    describe: 'Function name',
    default: 'opensky-stream-processor',
  }),
});

/** The pipeline's SNS topic, by name. */
export const topicNameOption = (env: Env) => ({
  'topic-name': envOption(env, 'SNS_TOPIC_NAME', {
    type: 'string',
    describe: 'SNS topic',
    default: 'FlightNotifications',
  }),
});
