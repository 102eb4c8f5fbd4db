import { describe, expect, it } from 'vitest';
import { describeLost, tally } from '../faults/harness.ts';

const body = (icao24: string, n = 0) => JSON.stringify({ icao24, n });

describe('the fault suite counting notifications', () => {
  const feed = {
    expected: [body('a1'), body('b2'), body('c3'), body('a1', 1), body('d4', 1), body('d4', 1)],
    snapshotOf: [1, 1, 1, 2, 2, 2],
  };

  it('tallies lost, duplicates and unknown as multisets', () => {
    const received = [body('a1'), body('a1'), body('c3'), body('d4', 1), body('zz')];
    expect(tally(feed.expected, received)).toEqual({
      expected: 6,
      delivered: 5,
      lost: 3,
      duplicates: 1,
      unknown: 1,
    });
  });

  it('names the snapshots the lost ones come from, and their first aircraft', () => {
    const received = [body('a1'), body('c3'), body('d4', 1)];
    // b2 of snapshot 1; a1 and one of the two d4 of snapshot 2.
    expect(describeLost(feed, received)).toBe('lost by snapshot: #1 ×1, #2 ×2; first aircraft: b2, a1, d4');
  });
});
