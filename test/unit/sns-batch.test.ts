import { describe, expect, it } from 'vitest';
import { entrySize, packBatches, SNS_MAX_BATCH_BYTES } from '../../src/sns/index.ts';

const sized = (...sizes: number[]) => sizes.map((size, i) => ({ id: i, size }));

describe('Function: entrySize', () => {
  it('counts the message and each attribute name, type and value in UTF-8 bytes', () => {
    expect(
      entrySize({
        Message: '{"c":"é"}',
        MessageAttributes: {
          origin_country: { DataType: 'String', StringValue: 'España' },
          alt: { DataType: 'Number', StringValue: '35000' },
        },
      }),
    ).toBe(10 + (14 + 6 + 7) + (3 + 6 + 5));
    expect(entrySize({ Message: 'x' })).toBe(1);
  });
});

describe('Function: packBatches', () => {
  it('splits by count, keeping order', () => {
    const batches = packBatches(sized(...Array.from({ length: 23 }, () => 1)));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().map((e) => e.id)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('splits by bytes before 256 KiB, and accepts a batch of exactly 256 KiB', () => {
    const k = 1024;
    expect(packBatches(sized(100 * k, 100 * k, 100 * k, 100 * k)).map((b) => b.length)).toEqual([2, 2]);
    expect(packBatches(sized(128 * k, 128 * k, 1)).map((b) => b.length)).toEqual([2, 1]);
    const batches = packBatches(sized(200 * k, 50 * k, 10 * k, 250 * k, 6 * k));
    expect(batches.map((b) => b.map((e) => e.id))).toEqual([[0, 1], [2], [3, 4]]);
    for (const batch of batches) {
      expect(batch.reduce((sum, e) => sum + e.size, 0)).toBeLessThanOrEqual(SNS_MAX_BATCH_BYTES);
    }
  });

  it('puts an item larger than the limit in a batch of its own', () => {
    expect(packBatches(sized(1, 300 * 1024, 1)).map((b) => b.map((e) => e.id))).toEqual([[0], [1], [2]]);
  });

  it('takes other limits', () => {
    expect(packBatches(sized(5, 5, 5, 5, 5), { maxEntries: 3, maxBytes: 10 }).map((b) => b.length)).toEqual([
      2, 2, 1,
    ]);
    expect(packBatches([])).toEqual([]);
  });
});
