/**
 * readFlags: the one function that turns parsed argv into a command's typed
 * options. Precedence (flag, variable, default), option paths, and errors that
 * name the flag, and the variable when the value came from it.
 */
import { describe, expect, it } from 'vitest';
import { flags, readFlags, yargsOptions } from '../../src/cli/flags.ts';
import { positiveDuration } from '../../src/cli/options.ts';
import { ConfigError } from '../../src/errors.ts';

const table = flags({
  interval: {
    type: 'string',
    to: 'source.intervalMs',
    env: 'OPENSKY_INTERVAL',
    describe: 'Polling interval',
    default: '3s',
    parse: positiveDuration,
  },
  topic: {
    type: 'string',
    to: 'sink.topic',
    env: 'KAFKA_TOPIC',
    describe: 'Topic',
    default: 'aviation-data',
  },
  partitions: {
    type: 'number',
    to: 'topic.partitions',
    env: 'PARTITIONS',
    describe: 'Partitions',
    default: 3,
  },
  ssl: { type: 'boolean', to: 'kafka.ssl', env: 'KAFKA_SSL', describe: 'TLS', default: false },
  level: { type: 'string', to: 'logLevel', env: 'LEVEL', describe: 'Level', choices: ['info', 'warn'] },
});

describe('Function: readFlags', () => {
  it('gives the defaults, parsed, at their option paths', () => {
    // Act
    const options = readFlags(table, {}, {});
    // Assert
    expect(options).toEqual({
      source: { intervalMs: 3000 },
      sink: { topic: 'aviation-data' },
      topic: { partitions: 3 },
      kafka: { ssl: false },
      logLevel: undefined,
    });
  });

  it('takes the environment over the default', () => {
    const options = readFlags(
      table,
      {},
      { OPENSKY_INTERVAL: '10s', KAFKA_TOPIC: 'flights', PARTITIONS: '6', KAFKA_SSL: 'yes', LEVEL: 'warn' },
    );
    expect(options).toEqual({
      source: { intervalMs: 10_000 },
      sink: { topic: 'flights' },
      topic: { partitions: 6 },
      kafka: { ssl: true },
      logLevel: 'warn',
    });
  });

  it('takes the flag over the environment (an empty flag or variable counts as not given)', () => {
    const env = { OPENSKY_INTERVAL: '10s', KAFKA_TOPIC: 'flights', PARTITIONS: '6', KAFKA_SSL: '' };
    const options = readFlags(table, { interval: '1m', topic: '', partitions: 2, ssl: true }, env);
    expect(options.source.intervalMs).toBe(60_000);
    expect(options.sink.topic).toBe('flights');
    expect(options.topic.partitions).toBe(2);
    expect(options.kafka.ssl).toBe(true);
  });

  it('names the flag when a given value does not parse', () => {
    expect(() => readFlags(table, { interval: 'soon' }, { OPENSKY_INTERVAL: '10s' })).toThrow(
      new ConfigError('--interval', "must be a duration like 30s, 5m, 1h (got 'soon')"),
    );
    expect(() => readFlags(table, { partitions: Number.NaN }, {})).toThrow('--partitions must be a number');
  });

  it('names the variable and the flag when a value from the environment does not parse', () => {
    expect(() => readFlags(table, {}, { OPENSKY_INTERVAL: 'soon' })).toThrow(
      "$OPENSKY_INTERVAL (--interval) must be a duration like 30s, 5m, 1h (got 'soon')",
    );
    expect(() => readFlags(table, {}, { PARTITIONS: 'many' })).toThrow(
      '$PARTITIONS (--partitions) must be a number',
    );
    expect(() => readFlags(table, {}, { LEVEL: 'loud' })).toThrow(
      "$LEVEL (--level) must be one of info, warn (got 'loud')",
    );
    try {
      readFlags(table, {}, { OPENSKY_INTERVAL: '-1s' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('OSS_CONFIG');
    }
  });
});

describe('Function: yargsOptions', () => {
  it('shows the variable and the default in --help, and gives yargs no default to apply', () => {
    const options = yargsOptions(table, {});
    expect(options.interval).toMatchObject({
      describe: 'Polling interval [env OPENSKY_INTERVAL]',
      defaultDescription: '"3s"',
    });
    expect(options.partitions).toMatchObject({ defaultDescription: '3' });
    expect(options.interval?.default).toBeUndefined();
    expect(yargsOptions(table, { OPENSKY_INTERVAL: '10s' }).interval).toMatchObject({
      defaultDescription: '$OPENSKY_INTERVAL (10s)',
    });
  });
});
