/**
 * FilterCriteria on Kafka records, from the examples of AWS's documentation:
 * - [kafka] "Filtering events from Amazon MSK and self-managed Apache Kafka event sources"
 *   (docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html);
 * - [lambda] "Control which events Lambda sends to your function", filter rule syntax
 *   (docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html);
 * - [eb] "Comparison operators for use in event patterns in Amazon EventBridge"
 *   (docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html);
 * - [ruler] the README of aws/event-ruler, the matching library behind them.
 * Every example's pattern is put under Kafka's `value` key.
 */
import { describe, expect, it } from 'vitest';
import {
  compileFilterCriteria,
  type FilterCriteria,
  resolveFilterCriteriaOptions,
} from '../../src/bridge/filter-criteria.ts';
import { ConfigError } from '../../src/errors.ts';
import type { ConsumedRecord } from '../../src/handler/event.ts';

const record = (value: Buffer | string | object | null): ConsumedRecord => ({
  topic: 'mytopic',
  partition: 0,
  offset: '15',
  timestamp: '1545084650987',
  key: null,
  value:
    value === null || Buffer.isBuffer(value)
      ? value
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: {},
});

/** FilterCriteria with one filter per pattern (patterns given as objects, as the docs expand them). */
const criteria = (...patterns: object[]): FilterCriteria => ({
  Filters: patterns.map((p) => ({ Pattern: JSON.stringify(p) })),
});

/** A predicate for `{ value: <pattern> }`. */
const onValue = (pattern: object) => compileFilterCriteria(criteria({ value: pattern }));

/** The values of `values` that pass. */
const passing = (pattern: object, values: Array<string | object | null>) => {
  const pass = onValue(pattern);
  return values.filter((v) => pass(record(v)));
};

/** The ConfigError thrown compiling `FilterCriteria`. */
const configError = (c: unknown): ConfigError => {
  try {
    compileFilterCriteria(c as FilterCriteria);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
};

describe('FilterCriteria on Kafka records: the Kafka page', () => {
  it('[kafka] keeps JSON values whose device_ID begins with AB, using the FilterCriteria exactly as printed', () => {
    // Arrange
    const pass = compileFilterCriteria({
      Filters: [{ Pattern: '{ "value" : { "device_ID" : [ { "prefix": "AB" } ] } }' }],
    });
    const message = { device_ID: 'AB1234', session: { start_time: 'yyyy-mm-ddThh:mm:ss', duration: 162 } };

    // Act / Assert
    expect(pass(record(message))).toBe(true);
    expect(pass(record({ ...message, device_ID: 'CD1234' }))).toBe(false);
    expect(pass(record({ session: message.session }))).toBe(false);
  });

  it('[kafka] filters plain-string values: anything-but "error" drops only the string "error"', () => {
    // Arrange: the page's example record value, base64 "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="
    const pass = compileFilterCriteria({
      Filters: [{ Pattern: '{ "value" : [ { "anything-but": [ "error" ] } ] }' }],
    });
    const example = Buffer.from('SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==', 'base64');

    // Act / Assert
    expect(example.toString()).toBe('Hello, this is a test.');
    expect(pass(record(example))).toBe(true);
    expect(pass(record('error'))).toBe(false);
    expect(pass(record('errors'))).toBe(true);
  });

  it('matches a JSON scalar value as that scalar and a non-JSON value as one string', () => {
    expect(passing([{ numeric: ['>', 40] }], ['42', '7', 'forty-two'])).toEqual(['42']);
    expect(passing(['"quoted"'], ['"quoted"', 'quoted'])).toEqual([]);
    expect(passing(['quoted'], ['"quoted"', 'quoted'])).toEqual(['"quoted"', 'quoted']);
    expect(passing([{ prefix: '{' }], ['{not json', '{"a":1}'])).toEqual(['{not json']);
  });

  it('drops records whose value format does not fit the pattern (JSON pattern on a plain string and back)', () => {
    expect(passing({ device_ID: [{ exists: false }] }, ['plain text', { other: 1 }])).toEqual([{ other: 1 }]);
    expect(passing([{ prefix: '' }], [{ device_ID: 'AB1' }, 'AB1'])).toEqual(['AB1']);
  });

  it('gives a tombstone (no value) no value field: only exists:false passes it', () => {
    expect(passing([{ exists: false }], [null, 'x', { a: 1 }])).toEqual([null, { a: 1 }]);
    expect(passing([{ exists: true }], [null, 'x'])).toEqual(['x']);
    expect(passing([{ 'anything-but': 'x' }], [null])).toEqual([]);
  });

  it('matches nothing for a value that is not UTF-8', () => {
    const pass = onValue([{ exists: false }]);
    expect(pass(record(Buffer.from([0xc3, 0x28])))).toBe(false);
    expect(onValue([{ 'anything-but': 'x' }])(record(Buffer.from([0xff])))).toBe(false);
  });

  it('passes every record without criteria, with {} and with no filters (how AWS removes them)', () => {
    for (const c of [undefined, null, {}, { Filters: [] }]) {
      const pass = compileFilterCriteria(c as FilterCriteria);
      expect(pass(record('anything'))).toBe(true);
      expect(pass(record(null))).toBe(true);
    }
  });
});

describe('FilterCriteria: the filter rule syntax table [lambda]', () => {
  it('Null: "UserID": [ null ] matches a JSON null only', () => {
    expect(passing({ UserID: [null] }, [{ UserID: null }, { UserID: 'null' }, {}, { UserID: 0 }])).toEqual([
      { UserID: null },
    ]);
  });

  it('Empty: "LastName": [""] matches the empty string only', () => {
    expect(
      passing({ LastName: [''] }, [{ LastName: '' }, { LastName: ' ' }, { LastName: null }, {}]),
    ).toEqual([{ LastName: '' }]);
  });

  it('Equals: "Name": [ "Alice" ], exactly, without case folding', () => {
    expect(passing({ Name: ['Alice'] }, [{ Name: 'Alice' }, { Name: 'alice' }, { Name: 'Alice ' }])).toEqual([
      { Name: 'Alice' },
    ]);
  });

  it('Equals (ignore case): "Name": [ { "equals-ignore-case": "alice" } ]', () => {
    const values = [{ Name: 'Alice' }, { Name: 'ALICE' }, { Name: 'Alicia' }, { Name: 1 }];
    expect(passing({ Name: [{ 'equals-ignore-case': 'alice' }] }, values)).toEqual(values.slice(0, 2));
  });

  it('And: "Location": [ "New York" ], "Day": [ "Monday" ] needs both', () => {
    const pattern = { Location: ['New York'], Day: ['Monday'] };
    const values = [
      { Location: 'New York', Day: 'Monday' },
      { Location: 'New York', Day: 'Tuesday' },
      { Location: 'New York' },
    ];
    expect(passing(pattern, values)).toEqual([values[0]]);
  });

  it('Or: "PaymentType": [ "Credit", "Debit" ] takes either', () => {
    const values = [{ PaymentType: 'Credit' }, { PaymentType: 'Debit' }, { PaymentType: 'Cash' }];
    expect(passing({ PaymentType: ['Credit', 'Debit'] }, values)).toEqual(values.slice(0, 2));
  });

  it('Not: "Weather": [ { "anything-but": [ "Raining" ] } ] needs the field, with another value', () => {
    const values = [{ Weather: 'Sunny' }, { Weather: 'Raining' }, {}, { Weather: 7 }, { Weather: null }];
    expect(passing({ Weather: [{ 'anything-but': ['Raining'] }] }, values)).toEqual([
      { Weather: 'Sunny' },
      { Weather: 7 },
      { Weather: null },
    ]);
  });

  it('Numeric (equals): "Price": [ { "numeric": [ "=", 100 ] } ] compares numbers, not text', () => {
    const values = [
      '{"Price": 100}',
      '{"Price": 100.0}',
      '{"Price": 1e2}',
      '{"Price": "100"}',
      '{"Price": 101}',
    ];
    expect(passing({ Price: [{ numeric: ['=', 100] }] }, values)).toEqual(values.slice(0, 3));
  });

  it('Numeric (range): "Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ]', () => {
    const values = [{ Price: 10 }, { Price: 10.5 }, { Price: 20 }, { Price: 20.5 }, { Price: '15' }];
    expect(passing({ Price: [{ numeric: ['>', 10, '<=', 20] }] }, values)).toEqual([
      { Price: 10.5 },
      { Price: 20 },
    ]);
  });

  it('Exists / Does not exist: "ProductName": [ { "exists": true | false } ]', () => {
    const values = [{ ProductName: 'Pen' }, { ProductName: null }, { Other: 1 }];
    expect(passing({ ProductName: [{ exists: true }] }, values)).toEqual(values.slice(0, 2));
    expect(passing({ ProductName: [{ exists: false }] }, values)).toEqual([{ Other: 1 }]);
  });

  it('Begins with: "Region": [ { "prefix": "us-" } ], strings only', () => {
    const values = [{ Region: 'us-east-1' }, { Region: 'eu-west-1' }, { Region: 'US-EAST-1' }];
    expect(passing({ Region: [{ prefix: 'us-' }] }, values)).toEqual([{ Region: 'us-east-1' }]);
  });

  it('Ends with: "FileName": [ { "suffix": ".png" } ]', () => {
    const values = [{ FileName: 'a.png' }, { FileName: 'a.png.gz' }, { FileName: 'A.PNG' }];
    expect(passing({ FileName: [{ suffix: '.png' }] }, values)).toEqual([{ FileName: 'a.png' }]);
  });

  it('numbers match exactly by their text: 300, 300.0 and 3.0e2 are not considered equal', () => {
    const values = ['{"n": 300}', '{"n": 300.0}', '{"n": 3.0e2}'];
    expect(passing({ n: [300] }, values)).toEqual(['{"n": 300}']);
    expect(
      compileFilterCriteria({ Filters: [{ Pattern: '{"value": {"n": [3.0e2]}}' }] })(record(values[2]!)),
    ).toBe(true);
  });

  it('[lambda example] Temperature greater than 50, at most 60', () => {
    const values = [{ Temperature: 50 }, { Temperature: 55 }, { Temperature: 60 }, { Temperature: 61 }];
    expect(passing({ Temperature: [{ numeric: ['>', 50, '<=', 60] }] }, values)).toEqual([
      { Temperature: 55 },
      { Temperature: 60 },
    ]);
  });

  it('[lambda example] multi-level filtering: Keys.Id.N is "101"', () => {
    const pattern = { Keys: { Id: { N: ['101'] } } };
    const values = [{ Keys: { Id: { N: '101' } } }, { Keys: { Id: { N: '102' } } }, { Keys: { Id: '101' } }];
    expect(passing(pattern, values)).toEqual([values[0]]);
  });
});

describe('FilterCriteria: the EventBridge comparison operators [eb]', () => {
  it('anything-but a single string: "state": [ { "anything-but": "initializing" } ]', () => {
    const values = [{ state: 'running' }, { state: 'initializing' }];
    expect(passing({ state: [{ 'anything-but': 'initializing' }] }, values)).toEqual([{ state: 'running' }]);
  });

  it('anything-but (begins with): "Region": [ { "anything-but": { "prefix": "us-" } } ]', () => {
    const values = [{ Region: 'eu-west-1' }, { Region: 'us-east-1' }, { Region: 5 }];
    expect(passing({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, values)).toEqual([
      { Region: 'eu-west-1' },
      { Region: 5 },
    ]);
  });

  it('anything-but (ends with): "FileName": [ { "anything-but": { "suffix": ".png" } } ]', () => {
    const values = [{ FileName: 'a.jpg' }, { FileName: 'a.png' }];
    expect(passing({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, values)).toEqual([
      { FileName: 'a.jpg' },
    ]);
  });

  it('anything-but (ignore case): "state": [ { "anything-but": { "equals-ignore-case": "initializing" } } ]', () => {
    const values = [{ state: 'INITIALIZING' }, { state: 'Initializing' }, { state: 'running' }];
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    expect(passing(pattern, values)).toEqual([{ state: 'running' }]);
    const list = { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'RUNNING'] } }] };
    expect(passing(list, [...values, { state: 'stopped' }])).toEqual([{ state: 'stopped' }]);
  });

  it('anything-but using a wildcard: "FilePath": [ { "anything-but": { "wildcard": "*/lib/*" } } ]', () => {
    const values = [{ FilePath: 'usr/lib/x.so' }, { FilePath: 'usr/bin/x' }];
    expect(passing({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, values)).toEqual([
      { FilePath: 'usr/bin/x' },
    ]);
  });

  it('begins / ends with (ignore case): { "prefix" | "suffix": { "equals-ignore-case": … } }', () => {
    const values = [{ service: 'EventBridge' }, { service: 'events' }, { service: 'sns' }];
    expect(passing({ service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, values)).toEqual(
      values.slice(0, 1),
    );
    expect(passing({ service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, values)).toEqual(
      values.slice(0, 1),
    );
  });

  it('wildcard: "FileName": [ { "wildcard": "dir/*.png" } ], with escapes for * and \\', () => {
    const values = [{ FileName: 'dir/a.png' }, { FileName: 'dir/sub/a.png' }, { FileName: 'other/a.png' }];
    expect(passing({ FileName: [{ wildcard: 'dir/*.png' }] }, values)).toEqual(values.slice(0, 2));
    expect(passing({ f: [{ wildcard: 'a\\*b' }] }, [{ f: 'a*b' }, { f: 'axb' }])).toEqual([{ f: 'a*b' }]);
    expect(passing({ f: [{ wildcard: 'a\\\\*' }] }, [{ f: 'a\\bc' }, { f: 'abc' }])).toEqual([
      { f: 'a\\bc' },
    ]);
    expect(passing({ f: [{ wildcard: '(a).*' }] }, [{ f: '(a).txt' }, { f: 'xa).txt' }])).toEqual([
      { f: '(a).txt' },
    ]);
  });

  it('Or (multiple fields): "$or": [ { "Location": [ "New York" ] }, { "Day": [ "Monday" ] } ]', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    const values = [{ Location: 'New York' }, { Day: 'Monday' }, { Location: 'Boston', Day: 'Sunday' }];
    expect(passing(pattern, values)).toEqual(values.slice(0, 2));
  });
});

describe('FilterCriteria: arrays, $or and exists as the Event Ruler README shows them [ruler]', () => {
  it('a field whose data is an array matches when any element does', () => {
    const pattern = { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'] };
    const values = [
      { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000', 'other'] },
      { resources: ['other'] },
      { resources: [] },
    ];
    expect(passing(pattern, values)).toEqual([values[0]]);
  });

  it('objects in an array: a nested pattern must be met within one element', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    const nested = { employees: [[event.employees[0], event.employees[1]], [event.employees[2]]] };
    expect(passing({ employees: { firstName: ['Anna'] } }, [event, nested])).toEqual([event, nested]);
    expect(passing({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, [event, nested])).toEqual([]);
    expect(passing({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, [event])).toEqual([event]);
  });

  it('anything-but a list of numbers: [ { "anything-but": [ 100, 200, 300 ] } ] compares numerically', () => {
    const values = ['{"x": 301.8}', '{"x": 200}', '{"x": 200.0}', '{"x": "200"}'];
    expect(passing({ x: [{ 'anything-but': [100, 200, 300] }] }, values)).toEqual([
      '{"x": 301.8}',
      '{"x": "200"}',
    ]);
  });

  it('exists works on leaf values only: an object where the pattern says exists:false still passes', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    const values = [
      { detail: { state: 'running' } },
      { detail: { 'c-count': { c1: 100 } } },
      { detail: { 'c-count': 5 } },
    ];
    expect(passing(pattern, values)).toEqual(values.slice(0, 2));
    expect(passing({ detail: { 'c-count': [{ exists: true }] } }, values)).toEqual([values[2]]);
  });

  it('exists:false passes when the parent object is missing altogether', () => {
    expect(passing({ detail: { 'c-count': [{ exists: false }] } }, [{ other: 1 }])).toEqual([{ other: 1 }]);
  });

  it('"$or" with an "And" inside: source && (metricName || (metricType && namespace) || scope)', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
        { scope: ['Service'] },
      ],
    };
    const values = [
      { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' },
      { source: 'aws.cloudwatch', metricType: 'MetricType' },
      { source: 'aws.cloudwatch', scope: 'Service' },
      { source: 'aws.ec2', scope: 'Service' },
    ];
    expect(passing(pattern, values)).toEqual([values[0], values[1], values[3]]);
  });

  it('parallel "$or" at two levels: both must be met', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    const values = [
      { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
      { namespace: 'AWS/EC2', detail: { source: 'other' } },
      { metricName: 'Other', detail: { source: 'aws.cloudwatch' } },
    ];
    expect(passing(pattern, values)).toEqual([values[0]]);
  });

  it('numeric matching takes values between -5e9 and 5e9 only', () => {
    const values = ['{"n": 5000000000}', '{"n": 5000000001}', '{"n": -5e9}', '{"n": -5.1e9}'];
    expect(passing({ n: [{ numeric: ['>=', -5e9] }] }, values)).toEqual(['{"n": 5000000000}', '{"n": -5e9}']);
  });
});

describe('FilterCriteria: several filters', () => {
  it('passes a record that meets any filter (filters are ORed)', () => {
    // Arrange
    const pass = compileFilterCriteria(
      criteria({ value: { a: [1] } }, { value: { b: [{ prefix: 'x' }] } }, { value: ['plain'] }),
    );

    // Act / Assert
    expect(pass(record({ a: 1 }))).toBe(true);
    expect(pass(record({ b: 'xyz' }))).toBe(true);
    expect(pass(record('plain'))).toBe(true);
    expect(pass(record({ a: 2, b: 'y' }))).toBe(false);
  });

  it('takes five filters by default and up to ten with maxFilters, as AWS quotas allow', () => {
    const six = criteria(...Array.from({ length: 6 }, (_, i) => ({ value: { n: [i] } })));
    expect(configError(six)).toMatchObject({ path: '/FilterCriteria/Filters' });
    expect(compileFilterCriteria(six, { maxFilters: 10 })(record({ n: 5 }))).toBe(true);
    expect(() => resolveFilterCriteriaOptions({ maxFilters: 11 })).toThrow(/\/options\/maxFilters/);
    expect(resolveFilterCriteriaOptions({ maxFilters: undefined })).toEqual({ maxFilters: 5 });
  });
});

describe('FilterCriteria: invalid filters are ConfigErrors naming the filter', () => {
  const invalid: Array<[string, string]> = [
    ['not JSON', '{ "value": '],
    ['not an object', '["value"]'],
    ['an empty pattern', ''],
    ['an empty object', '{}'],
    ['an empty array', '{"value": {"a": []}}'],
    ['a scalar where a rule list belongs', '{"value": {"a": "x"}}'],
    ['an array inside a rule list', '{"value": {"a": [["x"]]}}'],
    ['an unknown operator', '{"value": {"a": [{"contains": "x"}]}}'],
    ['two keys in one match expression', '{"value": {"a": [{"prefix": "x", "suffix": "y"}]}}'],
    ['a prefix that is not a string', '{"value": {"a": [{"prefix": 1}]}}'],
    ['exists that is not a boolean', '{"value": {"a": [{"exists": "true"}]}}'],
    ['numeric not an array', '{"value": {"a": [{"numeric": 5}]}}'],
    ['numeric with an unknown operator', '{"value": {"a": [{"numeric": ["!=", 5]}]}}'],
    ['numeric with a string bound', '{"value": {"a": [{"numeric": [">", "5"]}]}}'],
    ['numeric with the upper bound first', '{"value": {"a": [{"numeric": ["<", 5, ">", 1]}]}}'],
    ['numeric with an empty range', '{"value": {"a": [{"numeric": [">", 5, "<", 5]}]}}'],
    ['numeric "=" with a second term', '{"value": {"a": [{"numeric": ["=", 5, "<", 6]}]}}'],
    ['numeric beyond 5e9', '{"value": {"a": [{"numeric": [">", 6e9]}]}}'],
    ['anything-but mixing strings and numbers', '{"value": {"a": [{"anything-but": ["x", 1]}]}}'],
    ['anything-but null', '{"value": {"a": [{"anything-but": null}]}}'],
    ['anything-but an empty prefix', '{"value": {"a": [{"anything-but": {"prefix": ""}}]}}'],
    ['anything-but an unknown operator', '{"value": {"a": [{"anything-but": {"numeric": [">", 1]}}]}}'],
    ['consecutive wildcards', '{"value": {"a": [{"wildcard": "a**b"}]}}'],
    ['a backslash escaping a letter', '{"value": {"a": [{"wildcard": "a\\\\nb"}]}}'],
    ['$or with one alternative', '{"value": {"$or": [{"a": ["x"]}]}}'],
    ['$or not an array', '{"value": {"$or": {"a": ["x"]}}}'],
    ['a reserved name inside $or', '{"value": {"$or": [{"numeric": [1]}, {"a": ["x"]}]}}'],
  ];

  it.each(invalid)('rejects %s', (_what, Pattern) => {
    // Arrange: the faulty pattern second, so the path names its index
    const c = { Filters: [{ Pattern: '{"value": ["ok"]}' }, { Pattern }] };

    // Act
    const error = configError(c);

    // Assert
    expect(error.path).toBe('/FilterCriteria/Filters/1/Pattern');
    expect(error.code).toBe('OSS_CONFIG');
    expect(error.message).toMatch(/^\/FilterCriteria\/Filters\/1\/Pattern is not a valid filter pattern: /);
  });

  it('says where in the pattern the fault is', () => {
    const error = configError(criteria({ value: { session: { duration: [{ numeric: ['>', 'x'] }] } } }));
    expect(error.message).toContain('(at value.session.duration[0].numeric)');
  });

  it('rejects a pattern on any key but value: Kafka mappings filter on value only', () => {
    for (const pattern of [
      { topic: ['mytopic'] },
      { value: ['x'], partition: [0] },
      { $or: [{ value: ['x'] }, { key: ['k'] }] },
    ]) {
      const error = configError(criteria(pattern));
      expect(error.path).toBe('/FilterCriteria/Filters/0/Pattern');
      expect(error.message).toMatch(/only support filtering on the "value" key/);
    }
    expect(compileFilterCriteria(criteria({ $or: [{ value: ['x'] }, { value: ['y'] }] }))(record('y'))).toBe(
      true,
    );
  });

  it('rejects patterns over 4096 characters, and malformed FilterCriteria', () => {
    const long = JSON.stringify({ value: [`x${'y'.repeat(4096)}`] });
    expect(configError({ Filters: [{ Pattern: long }] })).toMatchObject({
      path: '/FilterCriteria/Filters/0/Pattern',
    });
    expect(configError({ Filters: [{}] })).toMatchObject({ path: '/FilterCriteria/Filters/0/Pattern' });
    expect(configError({ Filters: [null] })).toMatchObject({ path: '/FilterCriteria/Filters/0' });
    expect(configError({ Filters: '[]' })).toMatchObject({ path: '/FilterCriteria/Filters' });
    expect(configError('{}')).toMatchObject({ path: '/FilterCriteria' });
  });
});
