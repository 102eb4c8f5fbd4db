import { describe, expect, it } from 'vitest';
import {
  childTraceparent,
  formatTraceparent,
  isSampled,
  newTraceparent,
  parseTraceparent,
} from '../../src/tracing/index.ts';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('Function: parseTraceparent', () => {
  it('reads the fields of a valid value', () => {
    expect(parseTraceparent(VALID)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      flags: 1,
    });
    expect(parseTraceparent(VALID.replace(/01$/, '00'))?.flags).toBe(0);
  });

  it.each([
    ['upper-case hex', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['version 00 with more fields', `${VALID}-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero span id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['a missing field', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7'],
    ['not hex', '00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01'],
    ['an empty string', ''],
  ])('rejects %s', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('rejects values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, Buffer.from(VALID)])
      expect(parseTraceparent(value)).toBeUndefined();
  });

  it('reads the first four fields of a later version, as the spec asks', () => {
    expect(parseTraceparent(VALID.replace(/^00/, '01'))?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parseTraceparent(`${VALID.replace(/^00/, '01')}-future`)?.spanId).toBe('00f067aa0ba902b7');
  });

  it('tolerates surrounding whitespace (header values from a hand-written producer)', () => {
    expect(parseTraceparent(` ${VALID}\n`)).toBeDefined();
  });
});

describe('Function: formatTraceparent', () => {
  it('writes version 00 and two-digit flags, round-tripping parse', () => {
    const context = parseTraceparent(VALID)!;
    expect(formatTraceparent(context)).toBe(VALID);
    expect(formatTraceparent({ ...context, flags: 0 })).toMatch(/-00$/);
    expect(formatTraceparent(parseTraceparent(VALID.replace(/^00/, '01'))!)).toBe(VALID);
  });
});

describe('Function: newTraceparent', () => {
  it('starts a sampled trace with random ids that parse back', () => {
    const value = newTraceparent();
    const context = parseTraceparent(value);
    expect(value).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(context && isSampled(context)).toBe(true);
  });

  it('gives a new trace id every time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => parseTraceparent(newTraceparent())!.traceId));
    expect(ids.size).toBe(1000);
  });

  it('can start an unsampled trace', () => {
    expect(isSampled(parseTraceparent(newTraceparent({ sampled: false }))!)).toBe(false);
  });
});

describe('Function: childTraceparent', () => {
  it('keeps the trace id and flags and changes the span id', () => {
    const child = parseTraceparent(childTraceparent(VALID))!;
    expect(child.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(child.flags).toBe(1);
    expect(child.spanId).not.toBe('00f067aa0ba902b7');
  });

  it('gives undefined for an invalid parent', () => {
    expect(childTraceparent('nonsense')).toBeUndefined();
  });
});
