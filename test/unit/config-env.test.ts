import { describe, expect, it } from 'vitest';
import { defaultLambdaInvokerOptions } from '../../src/bridge/options.ts';
import { kafkaConnection } from '../../src/cli/config.ts';
import * as defaults from '../../src/config/defaults.ts';
import { isBrokerAddress, kafkaSaslFromEnv, readKafkaEnv } from '../../src/config/env.ts';
import { defaultKafkaTriggerOptions } from '../../src/deploy/event-source-mapping.ts';
import { defaultDeployOptions } from '../../src/deploy/options.ts';
import { ConfigError } from '../../src/errors.ts';
import { kafkaConfigFromEnv } from '../../src/kafka/client.ts';
import { defaultKafkaSinkOptions } from '../../src/kafka/sink-options.ts';
import { defaultOpenSkySourceOptions } from '../../src/opensky/options.ts';
import { defaultSnsPublisherOptions } from '../../src/sns/options.ts';

/** The error `fn` throws. */
function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('did not throw');
}

const SASL = { KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: 's3cret pass' };

describe('Function: readKafkaEnv', () => {
  it('reads nothing from an environment without Kafka variables, or with empty ones', () => {
    expect(readKafkaEnv({})).toEqual({});
    expect(
      readKafkaEnv({ KAFKA_BROKERS: '', KAFKA_CLIENT_ID: ' ', KAFKA_SSL: '', KAFKA_SASL_MECHANISM: '' }),
    ).toEqual({});
  });

  it('reads KAFKA_BROKERS as a comma list, trimmed', () => {
    expect(readKafkaEnv({ KAFKA_BROKERS: 'a:9092, b.example:19092,' }).brokers).toEqual([
      'a:9092',
      'b.example:19092',
    ]);
  });

  it.each(['a', 'a:b', 'a:9092,nope', ',', 'has space:9092'])(
    'rejects KAFKA_BROKERS=%j naming it',
    (value) => {
      const error = thrown(() => readKafkaEnv({ KAFKA_BROKERS: value }));
      expect(error.message).toMatch(/^KAFKA_BROKERS must be host:port brokers, comma-separated/);
    },
  );

  it('reads KAFKA_CLIENT_ID', () => {
    expect(readKafkaEnv({ KAFKA_CLIENT_ID: 'me' })).toEqual({ clientId: 'me' });
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['0', false],
    ['false', false],
    ['off', false],
  ])('reads KAFKA_SSL=%s as %s, the CLI’s rule for booleans', (value, ssl) => {
    expect(readKafkaEnv({ KAFKA_SSL: value })).toEqual({ ssl });
  });

  it('reads the SASL mechanism, in any case, with its username and password', () => {
    expect(readKafkaEnv({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', ...SASL }).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'alice',
      password: 's3cret pass',
    });
  });

  it.each<[Record<string, string>, RegExp]>([
    [
      { KAFKA_SASL_MECHANISM: 'gssapi', ...SASL },
      /^KAFKA_SASL_MECHANISM must be plain, scram-sha-256, scram-sha-512, got 'gssapi'$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' },
      /^KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      /^KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: '' },
      /^KAFKA_SASL_PASSWORD is required/,
    ],
  ])('rejects %j naming the variable', (env, message) => {
    const error = thrown(() => readKafkaEnv(env));
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('s3cret');
  });

  it('is what kafkaConfigFromEnv returns', () => {
    const env = {
      KAFKA_BROKERS: 'k:1',
      KAFKA_CLIENT_ID: 'c',
      KAFKA_SSL: 'yes',
      KAFKA_SASL_MECHANISM: 'plain',
      ...SASL,
    };
    expect(kafkaConfigFromEnv(env)).toEqual(readKafkaEnv(env));
  });
});

describe('Function: kafkaSaslFromEnv', () => {
  it('gives nothing without a mechanism', () => {
    expect(kafkaSaslFromEnv(undefined, SASL)).toBeUndefined();
    expect(kafkaSaslFromEnv('', SASL)).toBeUndefined();
  });

  it('names the flag the mechanism came from', () => {
    expect(thrown(() => kafkaSaslFromEnv('plain', {}, '--sasl-mechanism')).message).toBe(
      'KAFKA_SASL_USERNAME is required with --sasl-mechanism',
    );
    expect(thrown(() => kafkaSaslFromEnv('md5', SASL, '--sasl-mechanism')).message).toMatch(
      /^--sasl-mechanism must be/,
    );
  });

  it('is how the CLI reads the SASL credentials', () => {
    const flags = { brokers: ['k:1'], clientId: 'c', ssl: false, saslMechanism: 'scram-sha-256' as const };
    expect(kafkaConnection(flags, SASL).sasl).toEqual({
      mechanism: 'scram-sha-256',
      username: 'alice',
      password: 's3cret pass',
    });
    expect(thrown(() => kafkaConnection(flags, {})).message).toBe(
      'KAFKA_SASL_USERNAME is required with --sasl-mechanism',
    );
  });
});

describe('Function: isBrokerAddress', () => {
  it('accepts host:port and nothing else', () => {
    expect(['127.0.0.1:9092', 'kafka.example.com:19092', 'b-1:1'].every(isBrokerAddress)).toBe(true);
    expect(['127.0.0.1', ':9092', 'a:123456', 'a b:1', 9092].some(isBrokerAddress)).toBe(false);
  });
});

describe('Module: config/defaults', () => {
  it('is where every part of a default pipeline takes its names from, so they agree', () => {
    expect(defaultKafkaSinkOptions.topic).toBe(defaults.DEFAULT_KAFKA_TOPIC);
    expect(defaultLambdaInvokerOptions.topic).toBe(defaults.DEFAULT_KAFKA_TOPIC);
    expect(defaultKafkaTriggerOptions.topic).toBe(defaults.DEFAULT_KAFKA_TOPIC);
    expect(defaultSnsPublisherOptions.topicName).toBe(defaults.DEFAULT_SNS_TOPIC_NAME);
    expect(defaultDeployOptions.topicName).toBe(defaults.DEFAULT_SNS_TOPIC_NAME);
    expect(defaultDeployOptions.functionName).toBe(defaults.DEFAULT_FUNCTION_NAME);
    expect(defaultOpenSkySourceOptions.intervalMs).toBe(defaults.DEFAULT_INTERVAL_MS);
    expect(defaults.DEFAULT_KAFKA_BROKERS.every(isBrokerAddress)).toBe(true);
  });
});
