import { describe, expect, it } from 'vitest';
import {
  defaultDeduplicationId,
  defaultGroupId,
  isValidFifoId,
  SNS_MAX_FIFO_ID_LENGTH,
  toFifoId,
} from '../../src/sns/index.ts';

describe('Function: isValidFifoId', () => {
  it('accepts 1–128 alphanumerics and punctuation only', () => {
    expect(isValidFifoId('abc123-2024-08-01T12:34:56Z')).toBe(true);
    expect(isValidFifoId(`!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`)).toBe(true);
    expect(isValidFifoId('x'.repeat(SNS_MAX_FIFO_ID_LENGTH))).toBe(true);
    for (const id of ['', 'a b', 'é', 'tab\t', 'x'.repeat(129)]) expect(isValidFifoId(id)).toBe(false);
  });
});

describe('Function: toFifoId', () => {
  it('keeps valid ids and hashes the others, keeping distinct ids distinct', () => {
    expect(toFifoId('abc123')).toBe('abc123');
    const a = toFifoId('São Paulo');
    const b = toFifoId('Sao Paulo ');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(toFifoId('x'.repeat(129))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('Function: defaultGroupId', () => {
  it('is the icao24, or "default" without one', () => {
    expect(defaultGroupId({ icao24: '3c6444' })).toBe('3c6444');
    expect(defaultGroupId({ icao24: '' })).toBe('default');
    expect(defaultGroupId({})).toBe('default');
  });
});

describe('Function: defaultDeduplicationId', () => {
  it('is icao24-time_position, or the SHA-256 of the message when either is missing', () => {
    expect(defaultDeduplicationId({ icao24: '3c6444', time_position: '2024-08-01T12:34:56Z' }, '{}')).toBe(
      '3c6444-2024-08-01T12:34:56Z',
    );
    expect(defaultDeduplicationId({ icao24: '3c6444', time_position: 1722515696 }, '{}')).toBe(
      '3c6444-1722515696',
    );
    const hashed = defaultDeduplicationId({ icao24: '3c6444', time_position: null }, '{"a":1}');
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(defaultDeduplicationId({ time_position: 1 }, '{"a":1}')).toBe(hashed);
    expect(defaultDeduplicationId({ icao24: '3c6444', time_position: null }, '{"a":2}')).not.toBe(hashed);
  });
});
