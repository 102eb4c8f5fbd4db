import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import {
  createKafkaClientSeam,
  defaultKafkaClientOptions,
  resolveKafkaClientOptions,
} from '../../src/kafka/clients/index.ts';
import { foldHeaders, nameToBytes, toBytes, toConsumedRecord } from '../../src/kafka/clients/records.ts';
import { classifyKafkaError } from '../../src/kafka/failures.ts';

describe('Function: resolveKafkaClientOptions', () => {
  it('defaults to kafkajs and the local broker', () => {
    // Act
    const resolved = resolveKafkaClientOptions({}, {});
    // Assert
    expect(resolved).toEqual(defaultKafkaClientOptions);
    expect(resolved.client).toBe('kafkajs');
  });

  it('takes KAFKA_CLIENT from the environment, and the option over it', () => {
    expect(resolveKafkaClientOptions({}, { KAFKA_CLIENT: 'platformatic' }).client).toBe('platformatic');
    expect(resolveKafkaClientOptions({ client: 'kafkajs' }, { KAFKA_CLIENT: 'platformatic' }).client).toBe(
      'kafkajs',
    );
    expect(resolveKafkaClientOptions({ client: undefined }, { KAFKA_CLIENT: ' platformatic ' }).client).toBe(
      'platformatic',
    );
  });

  it.each([
    [{}, { KAFKA_CLIENT: 'rdkafka' }, 'KAFKA_CLIENT must be one of kafkajs, platformatic'],
    [{ client: 'confluent' }, {}, '/options/client must be one of kafkajs, platformatic'],
    [{ brokers: [] }, {}, '/options/brokers must name at least one broker'],
    [{ brokers: ['localhost'] }, {}, "/options/brokers/0 must be host:port, got 'localhost'"],
    [{ clientId: '' }, {}, '/options/clientId must be a non-empty string'],
    [{ requestTimeoutMs: 0 }, {}, '/options/requestTimeoutMs must be an integer ≥ 1'],
    [{ connectionTimeoutMs: 1.5 }, {}, '/options/connectionTimeoutMs must be an integer ≥ 1'],
  ])('rejects %j (env %j) naming the option', (options, env, message) => {
    expect(() => resolveKafkaClientOptions(options as never, env)).toThrow(ConfigError);
    expect(() => resolveKafkaClientOptions(options as never, env)).toThrow(message);
  });

  it('refuses a KafkaJS-shaped client with the platformatic client', () => {
    const kafka = { producer: () => ({}), consumer: () => ({}), admin: () => ({}) } as never;
    expect(() => resolveKafkaClientOptions({ client: 'platformatic', kafka }, {})).toThrow(
      "/options/kafka is a KafkaJS-shaped client: it cannot be used with client 'platformatic'",
    );
  });
});

describe('Function: createKafkaClientSeam', () => {
  it('builds the client the options name, without connecting', () => {
    expect(createKafkaClientSeam({}, {}).name).toBe('kafkajs');
    expect(createKafkaClientSeam({ client: 'platformatic' }, {}).name).toBe('platformatic');
    expect(createKafkaClientSeam({}, { KAFKA_CLIENT: 'platformatic' }).name).toBe('platformatic');
  });

  it('fixes the producer settings for both libraries', () => {
    for (const client of ['kafkajs', 'platformatic'] as const) {
      const seam = createKafkaClientSeam({ client }, {});
      expect(seam.producer().settings).toEqual({ idempotent: true, acks: -1, compression: 'gzip' });
      expect(seam.producer({ compression: 'none' }).settings.compression).toBe('none');
    }
  });
});

describe('Function: toConsumedRecord', () => {
  it('gives a platformatic message the shape the bridge holds (offsets as strings, null key kept)', () => {
    // Arrange
    const message = {
      topic: 't',
      partition: 2,
      offset: 12_345_678_901_234n,
      timestamp: 1_700_000_000_123n,
      key: undefined,
      value: Buffer.from('{"a":1}'),
      headerEntries: [] as Array<[Buffer, Buffer | null]>,
    };
    // Act
    const record = toConsumedRecord(message);
    // Assert
    expect(record).toEqual({
      topic: 't',
      partition: 2,
      offset: '12345678901234',
      timestamp: '1700000000123',
      key: null,
      value: Buffer.from('{"a":1}'),
      headers: {},
    });
  });

  it('folds headers as kafkajs does: repeats as a list in wire order, no value as null', () => {
    const headers = foldHeaders([
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('b'), null],
      [Buffer.from('a'), Buffer.from('2')],
      ['c', undefined],
      [Buffer.from('a'), null],
    ]);
    expect(headers).toEqual({ a: [Buffer.from('1'), Buffer.from('2'), null], b: null, c: null });
    expect(Object.keys(headers)).toEqual(['a', 'b', 'c']);
  });
});

describe('Function: toBytes', () => {
  it('writes strings as UTF-8, buffers as they are, and null as no value', () => {
    expect(toBytes('é')).toEqual(Buffer.from([0xc3, 0xa9]));
    const buffer = Buffer.from([1, 2]);
    expect(toBytes(buffer)).toBe(buffer);
    expect(toBytes(null)).toBeUndefined();
    expect(toBytes(undefined)).toBeUndefined();
    expect(nameToBytes('traceparent')).toEqual(Buffer.from('traceparent'));
  });
});

describe('Function: classifyKafkaError with @platformatic/kafka errors', () => {
  // The shapes @platformatic/kafka throws: ProtocolError names the protocol error in apiId,
  // MultipleErrors (an AggregateError) carries them in errors.
  const protocol = (apiId: string) => Object.assign(new Error(apiId), { code: 'PLT_KFK_PROTOCOL', apiId });
  const multiple = (...errors: Error[]) =>
    Object.assign(new AggregateError(errors, 'Received response with error.'), { code: 'PLT_KFK_MULTIPLE' });

  it.each([
    [protocol('TOPIC_AUTHORIZATION_FAILED'), 'fatal'],
    [multiple(protocol('MESSAGE_TOO_LARGE')), 'too-large'],
    [multiple(protocol('UNKNOWN_TOPIC_OR_PARTITION')), 'unknown-topic'],
    [protocol('OUT_OF_ORDER_SEQUENCE_NUMBER'), 'producer-state'],
    [multiple(protocol('NOT_LEADER_OR_FOLLOWER')), 'transient'],
    [Object.assign(new Error('SASL failed'), { code: 'PLT_KFK_AUTHENTICATION' }), 'fatal'],
    [Object.assign(new Error('Connection closed'), { code: 'PLT_KFK_NETWORK' }), 'transient'],
  ])('%s is %s', (error, kind) => {
    expect(classifyKafkaError(error)).toBe(kind);
  });
});
