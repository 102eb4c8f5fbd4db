import type { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { packBatches, recordAttributes, SNS_MAX_BATCH_BYTES, SnsPublisher } from '../../src/sns/index.ts';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';

/** A fake SNS client: fails the entries `failing` names, a given number of times each. */
function fakeClient(failing: Record<string, { times: number; senderFault?: boolean; code?: string }> = {}) {
  const calls: string[][] = [];
  const client = {
    send: async (command: PublishBatchCommand) => {
      const entries = command.input.PublishBatchRequestEntries ?? [];
      calls.push(entries.map((e) => JSON.parse(e.Message!).icao24));
      const Failed = entries
        .filter((e) => {
          const icao = JSON.parse(e.Message!).icao24 as string;
          const rule = failing[icao];
          if (!rule || rule.times === 0) return false;
          rule.times--;
          return true;
        })
        .map((e) => {
          const rule = failing[JSON.parse(e.Message!).icao24]!;
          return {
            Id: e.Id!,
            Code: rule.code ?? 'InternalError',
            SenderFault: rule.senderFault ?? false,
            Message: 'no',
          };
        });
      return { Successful: [], Failed };
    },
    destroy() {},
  } as unknown as SNSClient;
  return { client, calls };
}

const records = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    icao24: `a${String(i).padStart(5, '0')}`,
    origin_country: i % 2 ? 'France' : 'Spain',
  }));

describe('Class: SnsPublisher', () => {
  it('packs at most 10 entries per PublishBatch', async () => {
    const { client, calls } = fakeClient();
    const publisher = new SnsPublisher({ topicArn: TOPIC, client, concurrency: 1 });
    const result = await publisher.publish(records(35));
    expect(result).toEqual({ published: 35, failed: [] });
    expect(calls.map((c) => c.length)).toEqual([10, 10, 10, 5]);
  });

  it('retries only the entries that failed', async () => {
    const { client, calls } = fakeClient({ a00003: { times: 2 } });
    const publisher = new SnsPublisher({ topicArn: TOPIC, client, retryBaseMs: 1 });
    const result = await publisher.publish(records(5));
    expect(result.published).toBe(5);
    expect(calls).toEqual([['a00000', 'a00001', 'a00002', 'a00003', 'a00004'], ['a00003'], ['a00003']]);
    expect(publisher.stats.retries).toBe(2);
  });

  it('reports entries that keep failing, and sender faults at once, never dropping them', async () => {
    const { client, calls } = fakeClient({
      a00001: { times: 99 },
      a00002: { times: 99, senderFault: true, code: 'InvalidParameter' },
    });
    const publisher = new SnsPublisher({ topicArn: TOPIC, client, retryBaseMs: 1, maxRetries: 3 });
    const result = await publisher.publish(records(4));
    expect(result.published).toBe(2);
    expect(result.failed.map((f) => [f.record.icao24, f.code]).sort()).toEqual([
      ['a00001', 'InternalError'],
      ['a00002', 'InvalidParameter'],
    ]);
    expect(calls.filter((c) => c.includes('a00002'))).toHaveLength(1);
    expect(calls.filter((c) => c.includes('a00001'))).toHaveLength(4);
  });

  it('sets FIFO group and deduplication ids on a .fifo topic', async () => {
    const inputs: unknown[] = [];
    const client = {
      send: async (command: PublishBatchCommand) => {
        inputs.push(...(command.input.PublishBatchRequestEntries ?? []));
        return { Failed: [] };
      },
    } as unknown as SNSClient;
    const publisher = new SnsPublisher({ topicArn: `${TOPIC}.fifo`, client });
    await publisher.publish([
      { icao24: 'abc123', time_position: '2024-08-01T12:34:56Z', origin_country: 'Spain' },
    ]);
    expect(inputs[0]).toMatchObject({
      MessageGroupId: 'abc123',
      MessageDeduplicationId: 'abc123-2024-08-01T12:34:56Z',
    });
  });

  it('validates its options, naming the option', () => {
    expect(() => new SnsPublisher({})).toThrow(ConfigError);
    expect(() => new SnsPublisher({ topicArn: 'FlightNotifications' })).toThrow(/\/options\/topicArn/);
    expect(
      () => new SnsPublisher({ topicArn: TOPIC, attributes: [{ field: 'x', name: 'aws.bad' }] }),
    ).toThrow(/\/options\/attributes\/0\/name/);
  });
});

describe('Function: packBatches', () => {
  it('splits by bytes before 256 KiB', () => {
    const entries = Array.from({ length: 6 }, () => ({ size: 100 * 1024 }));
    expect(packBatches(entries).map((b) => b.length)).toEqual([2, 2, 2]);
    expect(packBatches(entries).every((b) => b.reduce((s, e) => s + e.size, 0) <= SNS_MAX_BATCH_BYTES)).toBe(
      true,
    );
  });
});

describe('Function: recordAttributes', () => {
  it('maps String and Number attributes and leaves out null and empty values', () => {
    expect(
      recordAttributes({ origin_country: 'Spain', altitude_feet: 35000, callsign: null, squawk: '' }, [
        { field: 'origin_country' },
        { field: 'altitude_feet', type: 'Number' },
        { field: 'callsign' },
        { field: 'squawk' },
      ]),
    ).toEqual({
      origin_country: { DataType: 'String', StringValue: 'Spain' },
      altitude_feet: { DataType: 'Number', StringValue: '35000' },
    });
  });
});
