import { describe, expect, it } from 'vitest';
import {
  cleanStringValue,
  isValidAttributeName,
  recordAttributes,
  toAttributeValue,
} from '../../src/sns/index.ts';

describe('Function: isValidAttributeName', () => {
  it.each([
    'origin_country',
    'altitude-feet',
    'a.b.c',
    'traceparent',
    'X',
    'awsome',
    'AmazonX',
    'a'.repeat(256),
  ])('accepts %s', (name) => expect(isValidAttributeName(name)).toBe(true));
  it.each([
    '',
    '.lead',
    'trail.',
    'a..b',
    'AWS.trace',
    'aws.x',
    'Amazon.x',
    'amazon.x',
    'has space',
    'ünï',
    'a/b',
    'a'.repeat(257),
  ])('rejects %j', (name) => expect(isValidAttributeName(name)).toBe(false));
});

describe('Function: toAttributeValue', () => {
  it('leaves out null, undefined, empty strings and empty arrays', () => {
    for (const value of [null, undefined, '', [], [{}]]) {
      expect(toAttributeValue(value, 'String.Array')).toBeUndefined();
    }
    expect(toAttributeValue('', 'String')).toBeUndefined();
    expect(toAttributeValue(null, 'Number')).toBeUndefined();
  });

  it('makes Number values from numbers and numeric strings, in plain decimal, and skips the rest', () => {
    expect(toAttributeValue(35000, 'Number')).toEqual({ DataType: 'Number', StringValue: '35000' });
    expect(toAttributeValue(' -12.5 ', 'Number')).toEqual({ DataType: 'Number', StringValue: '-12.5' });
    expect(toAttributeValue(1e-7, 'Number')?.StringValue).toBe('0.0000001');
    expect(toAttributeValue(1e21, 'Number')?.StringValue).toBe('1000000000000000000000');
    expect(toAttributeValue(12n, 'Number')?.StringValue).toBe('12');
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 'abc', true, {}, '  ']) {
      expect(toAttributeValue(value, 'Number')).toBeUndefined();
    }
  });

  it('makes String values from scalars, dates and objects, removing characters SNS rejects', () => {
    expect(toAttributeValue(true, 'String')?.StringValue).toBe('true');
    expect(toAttributeValue(7, 'String')?.StringValue).toBe('7');
    expect(toAttributeValue(new Date(Date.UTC(2024, 7, 1)), 'String')?.StringValue).toBe(
      '2024-08-01T00:00:00.000Z',
    );
    expect(toAttributeValue({ a: 1 }, 'String')?.StringValue).toBe('{"a":1}');
    expect(toAttributeValue('a\u0000b\u0007c\td', 'String')?.StringValue).toBe('abc\td');
    expect(toAttributeValue('\u0001\u0002', 'String')).toBeUndefined();
    expect(toAttributeValue('São Paulo ✈', 'String')?.StringValue).toBe('São Paulo ✈');
  });

  it('makes String.Array values from arrays of strings, numbers, booleans and null, wrapping scalars', () => {
    expect(toAttributeValue(['a', 1, true, null, { x: 1 }, Number.NaN], 'String.Array')).toEqual({
      DataType: 'String.Array',
      StringValue: '["a",1,true,null]',
    });
    expect(toAttributeValue('solo', 'String.Array')?.StringValue).toBe('["solo"]');
  });
});

describe('Function: cleanStringValue', () => {
  it('drops lone surrogates and non-characters but keeps astral characters', () => {
    expect(cleanStringValue('a\uD800b\uFFFEc😀')).toBe('abc😀');
  });
});

describe('Function: recordAttributes', () => {
  const record = { origin_country: 'Spain', altitude_feet: 35000, callsign: null, squawk: '', tags: ['x'] };

  it('maps fields with their types, skipping null and empty values', () => {
    expect(
      recordAttributes(record, [
        { field: 'origin_country' },
        { field: 'altitude_feet', type: 'Number' },
        { field: 'callsign' },
        { field: 'squawk' },
        { field: 'tags', type: 'String.Array' },
        { field: 'missing' },
      ]),
    ).toEqual({
      origin_country: { DataType: 'String', StringValue: 'Spain' },
      altitude_feet: { DataType: 'Number', StringValue: '35000' },
      tags: { DataType: 'String.Array', StringValue: '["x"]' },
    });
  });

  it('renames fields, computes values, and lets extras (typed by their value) win on a clash', () => {
    expect(
      recordAttributes(
        record,
        [
          { field: 'origin_country', name: 'country' },
          { name: 'band', type: 'Number', value: (r) => Math.floor(r.altitude_feet / 10000) },
        ],
        { country: 'Portugal', level: 3, hops: ['a', 'b'], flag: false, gone: null },
      ),
    ).toEqual({
      country: { DataType: 'String', StringValue: 'Portugal' },
      band: { DataType: 'Number', StringValue: '3' },
      level: { DataType: 'Number', StringValue: '3' },
      hops: { DataType: 'String.Array', StringValue: '["a","b"]' },
      flag: { DataType: 'String', StringValue: 'false' },
    });
  });
});
