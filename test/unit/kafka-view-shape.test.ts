/** The Kafka view's shaping of what the admin client and a consumer return (src/ui/kafka-view-shape.ts). */
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  bytesText,
  groupTopics,
  groupTopicView,
  isInternalTopic,
  type MessageView,
  memberAssignment,
  messageView,
  newestMessages,
  readPlan,
  topicView,
  valueText,
} from '../../src/ui/kafka-view-shape.ts';

const meta = (partitionId: number, leader = 1) => ({
  partitionId,
  leader,
  replicas: [leader],
  isr: [leader],
});

describe('topicView', () => {
  it('lists partitions in order with their start and end offsets and record counts', () => {
    const view = topicView(
      'aviation-data',
      [meta(2), meta(0), meta(1, 2)],
      [
        { partition: 0, low: '0', high: '8' },
        { partition: 1, low: '5', high: '12' },
        { partition: 2, low: '10', high: '10' },
      ],
    );
    expect(view).toEqual({
      name: 'aviation-data',
      records: 15,
      partitions: [
        { partition: 0, leader: 1, replicas: [1], isr: [1], low: 0, high: 8, records: 8 },
        { partition: 1, leader: 2, replicas: [2], isr: [2], low: 5, high: 12, records: 7 },
        { partition: 2, leader: 1, replicas: [1], isr: [1], low: 10, high: 10, records: 0 },
      ],
    });
  });

  it('shows a partition whose offsets are missing at 0', () => {
    expect(topicView('t', [meta(0)], []).partitions[0]).toMatchObject({ low: 0, high: 0, records: 0 });
  });
});

describe('isInternalTopic', () => {
  it.each([
    ['__consumer_offsets', true],
    ['__transaction_state', true],
    ['__share_group_state', true],
    ['aviation-data', false],
    ['_schemas', false],
  ])('%s → %s', (name, internal) => expect(isInternalTopic(name)).toBe(internal));
});

describe('groupTopics', () => {
  it('takes topics with a committed offset and topics assigned to a member, internal ones left out', () => {
    const topics = groupTopics(
      [
        { topic: 'b', partitions: [{ offset: '-1' }, { offset: '4' }] },
        { topic: 'never', partitions: [{ offset: '-1' }] },
        { topic: '__consumer_offsets', partitions: [{ offset: '3' }] },
      ],
      [{ memberId: 'm', clientId: 'c', clientHost: '/h', assignment: { a: [0], b: [1] } }],
    );
    expect(topics).toEqual(['a', 'b']);
  });
});

describe('memberAssignment', () => {
  it('decodes a consumer member assignment into topic → sorted partitions', () => {
    const raw = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: { 'aviation-data': [2, 0, 1] },
      userData: Buffer.alloc(0),
    });
    expect(memberAssignment('consumer', raw)).toEqual({ 'aviation-data': [0, 1, 2] });
  });

  it('reads the assignments of other protocols (Connect) and garbage as none', () => {
    const raw = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: { t: [0] },
      userData: Buffer.alloc(0),
    });
    expect(memberAssignment('connect', raw)).toEqual({});
    expect(memberAssignment('consumer', Buffer.from([1, 2, 3]))).toEqual({});
    expect(memberAssignment('consumer', Buffer.alloc(0))).toEqual({});
  });
});

describe('groupTopicView', () => {
  it('pairs committed offsets with end offsets and the lag per partition', () => {
    const view = groupTopicView(
      't',
      [
        { partition: 1, offset: '7' },
        { partition: 0, offset: '-1' },
      ],
      [
        { partition: 1, high: '12' },
        { partition: 0, high: '8' },
        { partition: 2, high: '3' },
      ],
      { 0: 8, 1: 5, 2: 3 },
    );
    expect(view).toEqual({
      topic: 't',
      lag: 16,
      partitions: [
        { partition: 0, committed: null, end: 8, lag: 8 },
        { partition: 1, committed: 7, end: 12, lag: 5 },
        { partition: 2, committed: null, end: 3, lag: 3 },
      ],
    });
  });
});

describe('readPlan', () => {
  it('reads the last `limit` offsets of each partition, not before the log start, skipping empty ones', () => {
    expect(
      readPlan(
        [
          { partition: 1, low: '0', high: '100' },
          { partition: 0, low: '95', high: '100' },
          { partition: 2, low: '40', high: '40' },
        ],
        20,
      ),
    ).toEqual([
      { partition: 0, from: 95, to: 100 },
      { partition: 1, from: 80, to: 100 },
    ]);
  });
});

describe('newestMessages', () => {
  const m = (partition: number, offset: number, at: number) =>
    ({ partition, offset, timestamp: new Date(at).toISOString() }) as MessageView;

  it('keeps the newest by timestamp, then by offset, newest first', () => {
    const newest = newestMessages([m(0, 1, 1000), m(1, 9, 3000), m(0, 2, 3000), m(2, 5, 2000)], 3);
    expect(newest.map((x) => [x.partition, x.offset])).toEqual([
      [1, 9],
      [0, 2],
      [2, 5],
    ]);
  });
});

describe('bytesText', () => {
  it('gives UTF-8 text as text', () => {
    expect(bytesText(Buffer.from('Zürich ✈'), 100)).toEqual({
      text: 'Zürich ✈',
      binary: false,
      truncated: false,
    });
  });

  it('cuts long text on a character boundary', () => {
    // 'é' is 2 bytes: a cut at 4 bytes keeps "aé" and drops the half character after it.
    expect(bytesText(Buffer.from('aéé'), 4)).toEqual({ text: 'aé', binary: false, truncated: true });
  });

  it('shows bytes that are not text as hex, cut to half the limit in bytes', () => {
    expect(bytesText(Buffer.from([0, 1, 0xff]), 100)).toEqual({
      text: '0x0001ff',
      binary: true,
      truncated: false,
    });
    expect(bytesText(Buffer.from([0xff, 0xfe, 0xfd, 0xfc]), 4)).toEqual({
      text: '0xfffe',
      binary: true,
      truncated: true,
    });
  });
});

describe('valueText', () => {
  it('pretty-prints JSON with two spaces', () => {
    expect(valueText(Buffer.from('{"icao24":"4b1816","pos":[1,2]}'), 1000)).toEqual({
      value: '{\n  "icao24": "4b1816",\n  "pos": [\n    1,\n    2\n  ]\n}',
      format: 'json',
      size: 31,
      truncated: false,
    });
  });

  it('shows text that is not JSON as it is, and a null value as a tombstone', () => {
    expect(valueText(Buffer.from('{not json'), 1000)).toMatchObject({ value: '{not json', format: 'text' });
    expect(valueText(Buffer.from('42'), 1000)).toMatchObject({ value: '42', format: 'text' });
    expect(valueText(null, 1000)).toEqual({ value: null, format: 'null', size: 0, truncated: false });
  });

  it('cuts a large value, and shows a cut JSON value as text rather than failing to parse it', () => {
    const big = JSON.stringify({ data: 'x'.repeat(500) });
    const shown = valueText(Buffer.from(big), 100);
    expect(shown).toMatchObject({ format: 'text', size: big.length, truncated: true });
    expect(shown.value).toBe(big.slice(0, 100));
  });

  it('cuts JSON whose pretty form is over the limit', () => {
    const shown = valueText(Buffer.from(JSON.stringify(Array.from({ length: 20 }, (_, i) => i))), 100);
    expect(shown).toMatchObject({ format: 'json', truncated: true });
    expect(shown.value).toHaveLength(100);
  });
});

describe('messageView', () => {
  it('gives key, headers (repeated ones each), timestamp and value as text', () => {
    const view = messageView(
      'aviation-data',
      2,
      {
        offset: '41',
        timestamp: '1722515696000',
        key: Buffer.from('4b1816'),
        value: Buffer.from('{"a":1}'),
        headers: {
          'content-type': Buffer.from('application/json'),
          trace: [Buffer.from('one'), 'two'],
          raw: Buffer.from([0, 255]),
          none: undefined,
        },
      },
      1000,
    );
    expect(view).toEqual({
      topic: 'aviation-data',
      partition: 2,
      offset: 41,
      timestamp: '2024-08-01T12:34:56.000Z',
      key: '4b1816',
      headers: [
        { key: 'content-type', value: 'application/json' },
        { key: 'trace', value: 'one' },
        { key: 'trace', value: 'two' },
        { key: 'raw', value: '0x00ff' },
      ],
      value: '{\n  "a": 1\n}',
      format: 'json',
      size: 7,
      truncated: false,
    });
  });

  it('marks the message truncated when a header or the key was cut', () => {
    const view = messageView(
      't',
      0,
      { offset: '0', timestamp: '0', key: Buffer.from('k'.repeat(100)), value: null, headers: {} },
      64,
    );
    expect(view).toMatchObject({ key: 'k'.repeat(64), value: null, format: 'null', truncated: true });
  });
});
