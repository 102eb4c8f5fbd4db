import { describe, expect, it } from 'vitest';
import { parseBatchEntries, patchedPublishSource } from '../../src/stack/endpoint/fauxqs-batch.ts';

const entry = (i: number) => `PublishBatchRequestEntries.member.${i}`;

describe('fauxqs PublishBatch entries in one pass', () => {
  it('reads entries and their attributes in the order the form named them', () => {
    const params: Record<string, string> = {
      Action: 'PublishBatch',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      [`${entry(2)}.Id`]: 'b',
      [`${entry(2)}.Message`]: 'second',
      [`${entry(2)}.MessageAttributes.entry.1.Name`]: 'origin_country',
      [`${entry(2)}.MessageAttributes.entry.1.Value.DataType`]: 'String',
      [`${entry(2)}.MessageAttributes.entry.1.Value.StringValue`]: 'France',
      [`${entry(1)}.Id`]: 'a',
      [`${entry(1)}.Message`]: 'first',
      [`${entry(1)}.Subject`]: 'hello',
      [`${entry(1)}.MessageGroupId`]: 'g',
      [`${entry(1)}.MessageDeduplicationId`]: 'd',
      [`${entry(1)}.MessageAttributes.entry.2.Name`]: 'blob',
      [`${entry(1)}.MessageAttributes.entry.2.Value.DataType`]: 'Binary',
      [`${entry(1)}.MessageAttributes.entry.2.Value.BinaryValue`]: 'AAE=',
      [`${entry(1)}.MessageAttributes.entry.1.Name`]: 'n',
      [`${entry(1)}.MessageAttributes.entry.1.Value.DataType`]: 'Number',
      [`${entry(1)}.MessageAttributes.entry.1.Value.StringValue`]: '7',
      // No DataType: dropped. No Message: the entry is dropped.
      [`${entry(1)}.MessageAttributes.entry.3.Name`]: 'half',
      [`${entry(3)}.Id`]: 'c',
      // Not an entry: no index, or no '.' after it.
      'PublishBatchRequestEntries.member.x.Id': 'x',
      'PublishBatchRequestEntries.member.4': 'y',
      [`${entry(10)}.Id`]: 'j',
      [`${entry(10)}.Message`]: 'tenth',
      [`${entry(10)}.MessageAttributes.entry.x.Name`]: 'ignored',
    };
    expect(parseBatchEntries(params)).toEqual([
      {
        id: 'b',
        message: 'second',
        subject: undefined,
        messageGroupId: undefined,
        messageDeduplicationId: undefined,
        messageAttributes: { origin_country: { DataType: 'String', StringValue: 'France' } },
      },
      {
        id: 'a',
        messageAttributes: {
          blob: { DataType: 'Binary', BinaryValue: 'AAE=' },
          n: { DataType: 'Number', StringValue: '7' },
        },
        message: 'first',
        subject: 'hello',
        messageGroupId: 'g',
        messageDeduplicationId: 'd',
      },
      {
        id: 'j',
        message: 'tenth',
        subject: undefined,
        messageGroupId: undefined,
        messageDeduplicationId: undefined,
        messageAttributes: {},
      },
    ]);
    // Attribute order is the form's: entry.2 was named before entry.1.
    expect(Object.keys(parseBatchEntries(params)[1]!.messageAttributes)).toEqual(['blob', 'n']);
    expect(parseBatchEntries({ Action: 'PublishBatch' })).toEqual([]);
  });

  it("swaps fauxqs's declaration for one calling ours, and only when it is there once", () => {
    const original = 'a();\nfunction parseBatchEntries(params) {\n    return [];\n}\nb();';
    const patched = patchedPublishSource(original)!;
    expect(patched).toContain('function parseBatchEntriesFauxqs(params) {\n    return [];\n}');
    expect(patched).toMatch(/function parseBatchEntries\(params\) \{ return globalThis\[Symbol\.for\(/);
    expect(patchedPublishSource('function other(params) {}')).toBeUndefined();
    expect(patchedPublishSource(original + original)).toBeUndefined();
  });
});
