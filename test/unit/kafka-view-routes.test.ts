/**
 * The Kafka view's options and its HTTP answers (src/ui/kafka-view-options.ts,
 * src/ui/kafka-view-routes.ts), with a stand-in inspector: which route asks what,
 * how bad requests and Kafka's failures become statuses the page shows.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, KafkaError } from '../../src/errors.ts';
import type { KafkaInspector } from '../../src/ui/kafka-view.ts';
import {
  defaultKafkaViewOptions,
  type KafkaViewOptions,
  resolveKafkaViewOptions,
} from '../../src/ui/kafka-view-options.ts';
import { kafkaViewAnswer, parseMessagesPath } from '../../src/ui/kafka-view-routes.ts';

describe('resolveKafkaViewOptions', () => {
  it('overlays the options on the defaults, skipping undefined', () => {
    expect(resolveKafkaViewOptions({ messages: 5, timeoutMs: undefined })).toMatchObject({
      ...defaultKafkaViewOptions,
      messages: 5,
    });
  });

  it.each<[KafkaViewOptions, string]>([
    [{ timeoutMs: 0 }, '/options/timeoutMs'],
    [{ messages: 1.5 }, '/options/messages'],
    [{ messages: 300 }, '/options/messages'],
    [{ maxValueBytes: 10 }, '/options/maxValueBytes'],
    [{ maxTopics: -1 }, '/options/maxTopics'],
    [{ idleMs: Number.NaN }, '/options/idleMs'],
    [{ defaultTopic: '' }, '/options/defaultTopic'],
  ])('%j is refused at %s', (options, path) => {
    expect(() => resolveKafkaViewOptions(options)).toThrow(ConfigError);
    expect(() => resolveKafkaViewOptions(options)).toThrow(path);
  });
});

describe('parseMessagesPath', () => {
  it('reads the topic of a messages route, URL-decoded', () => {
    expect(parseMessagesPath('/kafka/topics/aviation-data/messages')).toBe('aviation-data');
    expect(parseMessagesPath('/kafka/topics/a%2Eb/messages')).toBe('a.b');
    expect(parseMessagesPath('/kafka/topics/%E0%A4%A/messages')).toBe('');
    expect(parseMessagesPath('/kafka/topics/a/b/messages')).toBeUndefined();
    expect(parseMessagesPath('/kafka/topics')).toBeUndefined();
  });
});

/** An inspector that answers from canned data and records what it was asked. */
function standIn(fail?: Error) {
  const asked: string[] = [];
  const answer = <T>(what: string, value: T) => {
    asked.push(what);
    return fail ? Promise.reject(fail) : Promise.resolve(value);
  };
  const inspector: KafkaInspector = {
    defaultTopic: 'aviation-data',
    options: resolveKafkaViewOptions({}),
    topics: () => answer('topics', { topics: [], internal: 1, more: 0 }),
    groups: () => answer('groups', { groups: [], more: 0 }),
    messages: (topic, limit) => answer(`messages ${topic} ${limit}`, { topic, messages: [], complete: true }),
    close: async () => {},
  };
  return { inspector, asked };
}

describe('kafkaViewAnswer', () => {
  it('leaves paths outside /kafka to the rest of the server', async () => {
    expect(await kafkaViewAnswer(standIn().inspector, '/app.js', '')).toBeUndefined();
    expect(await kafkaViewAnswer(standIn().inspector, '/kafkaesque', '')).toBeUndefined();
  });

  it('answers 404 with a reason when the page runs without Kafka', async () => {
    expect(await kafkaViewAnswer(undefined, '/kafka/topics', '')).toEqual({
      status: 404,
      body: { error: 'no Kafka view: this page runs without Kafka brokers' },
    });
  });

  it('routes topics, groups and messages (the default limit when none is asked)', async () => {
    const { inspector, asked } = standIn();
    expect(await kafkaViewAnswer(inspector, '/kafka', '')).toEqual({
      status: 200,
      body: { defaultTopic: 'aviation-data' },
    });
    expect(await kafkaViewAnswer(inspector, '/kafka/topics', '')).toMatchObject({ status: 200 });
    expect(await kafkaViewAnswer(inspector, '/kafka/groups', '')).toMatchObject({ status: 200 });
    expect(await kafkaViewAnswer(inspector, '/kafka/topics/t.1/messages', 'limit=7')).toMatchObject({
      status: 200,
      body: { topic: 't.1' },
    });
    expect(await kafkaViewAnswer(inspector, '/kafka/topics/t.1/messages', '')).toMatchObject({ status: 200 });
    expect(asked).toEqual(['topics', 'groups', 'messages t.1 7', 'messages t.1 20']);
  });

  it.each([
    ['/kafka/topics/bad%20name/messages', '', 400, "not a topic name: 'bad name'"],
    ['/kafka/topics/t/messages', 'limit=0', 400, "limit must be an integer from 1 to 200, got '0'"],
    ['/kafka/topics/t/messages', 'limit=201', 400, "limit must be an integer from 1 to 200, got '201'"],
    ['/kafka/topics/t/messages', 'limit=ten', 400, "limit must be an integer from 1 to 200, got 'ten'"],
    ['/kafka/nothing', '', 404, 'no such route: /kafka/nothing'],
  ])('%s?%s → %i', async (path, query, status, error) => {
    const { inspector, asked } = standIn();
    expect(await kafkaViewAnswer(inspector, path, query)).toEqual({ status, body: { error } });
    expect(asked).toEqual([]);
  });

  it.each([
    [new KafkaError("topic 'x' does not exist", { details: { status: 404 } }), 404],
    [new KafkaError('listing topics: no answer from Kafka within 10 ms', { details: { status: 504 } }), 504],
    [new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 502],
  ])('a failure (%s) is an answer with its message', async (failure, status) => {
    const { inspector } = standIn(failure);
    expect(await kafkaViewAnswer(inspector, '/kafka/topics', '')).toEqual({
      status,
      body: { error: failure.message },
    });
  });
});
