/**
 * A scriptable stand-in for the parts of a KafkaJS client that KafkaSink and
 * LambdaInvoker use (the structural `KafkaLike` seam), for unit tests of
 * their lifecycle: sends that fail on cue, consumers whose crashes and
 * batches the test drives. Integration tests use the real broker instead.
 */
import { EventEmitter } from 'node:events';
import {
  type EachBatchPayload,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type Message,
} from 'kafkajs';
import type { KafkaLike } from '../../src/kafka/index.ts';

/** `connect ECONNREFUSED` after kafkajs's own retries, as a stopped broker gives. */
export const connectionRefused = (): Error =>
  new KafkaJSNumberOfRetriesExceeded(
    new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
    { retryCount: 5, retryTime: 3000 },
  );

/** A broker protocol error of `type` (e.g. `TOPIC_AUTHORIZATION_FAILED`). */
export const protocolError = (type: string, retriable = false): Error =>
  new KafkaJSProtocolError(
    Object.assign(new Error(`broker answered ${type}`), { type, code: 0, retriable }) as unknown as Error,
  );

export interface FakeSend {
  topic: string;
  messages: Message[];
  compression?: number;
}

/** What a fake producer does with a send: resolve (delivered) or throw. */
export type SendBehaviour = (send: FakeSend, n: number) => Promise<void> | void;

export interface FakeConsumer {
  groupId: string;
  emitter: EventEmitter;
  connected: boolean;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  /** Emit kafkajs's CRASH instrumentation event. */
  crash(error: Error, restart?: boolean): void;
  commits: Array<{ topic: string; partition: number; offset: string }>;
  /** Every `subscribe` call, in order. */
  subscriptions: Array<{ topic: string; fromBeginning?: boolean }>;
}

export interface FakeKafka {
  kafka: KafkaLike;
  /** Every send the producers got, in order, delivered or not. */
  sends: FakeSend[];
  /** Messages of the sends that succeeded, in order. */
  delivered: Message[];
  /** Replace to make sends fail or hang. Default: deliver. */
  behaviour: SendBehaviour;
  producersCreated: number;
  consumers: FakeConsumer[];
  /** Replace to make consumers' `connect` fail (the broker is down). Default: connect. */
  consumerConnect: () => Promise<void> | void;
  topics: string[];
  /** Per partition: the group's committed offset (`-1`: none), and the topic's low and high offsets. */
  partitions: Array<{ partition: number; committed: string; low: string; high: string }>;
  /** Offsets admin `setOffsets` committed, per call. */
  setOffsets: Array<{
    groupId: string;
    topic: string;
    partitions: Array<{ partition: number; offset: string }>;
  }>;
}

const CRASH = 'consumer.crash';
const FETCH = 'consumer.fetch';
const GROUP_JOIN = 'consumer.group_join';

export function fakeKafka(options: { topics?: string[] } = {}): FakeKafka {
  const fake: FakeKafka = {
    kafka: undefined as unknown as KafkaLike,
    sends: [],
    delivered: [],
    behaviour: () => undefined,
    producersCreated: 0,
    consumers: [],
    consumerConnect: () => undefined,
    topics: options.topics ?? ['aviation-data'],
    partitions: [{ partition: 0, committed: '-1', low: '0', high: '0' }],
    setOffsets: [],
  };
  const producer = () => {
    fake.producersCreated++;
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (record: { topic: string; messages: Message[]; compression?: number }) => {
        const send = { topic: record.topic, messages: record.messages, compression: record.compression };
        fake.sends.push(send);
        await fake.behaviour(send, fake.sends.length);
        fake.delivered.push(...record.messages);
        return [];
      },
    };
  };
  const admin = () => ({
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => fake.topics,
    createTopics: async () => true,
    fetchOffsets: async ({ topics }: { topics: string[] }) =>
      topics.map((topic) => ({
        topic,
        partitions: fake.partitions.map((p) => ({ partition: p.partition, offset: p.committed })),
      })),
    fetchTopicOffsets: async () =>
      fake.partitions.map(({ partition, low, high }) => ({ partition, low, high })),
    fetchTopicOffsetsByTimestamp: async () =>
      fake.partitions.map(({ partition, low }) => ({ partition, offset: low })),
    setOffsets: async (call: FakeKafka['setOffsets'][number]) => {
      fake.setOffsets.push(call);
      for (const { partition, offset } of call.partitions) {
        const known = fake.partitions.find((p) => p.partition === partition);
        if (known) known.committed = offset;
      }
    },
  });
  const consumer = ({ groupId }: { groupId: string }) => {
    const emitter = new EventEmitter();
    const state: FakeConsumer = {
      groupId,
      emitter,
      connected: false,
      commits: [],
      subscriptions: [],
      crash(error, restart = false) {
        state.connected = false;
        emitter.emit(CRASH, { type: CRASH, payload: { error, groupId, restart } });
      },
    };
    fake.consumers.push(state);
    return {
      events: { CRASH, FETCH, GROUP_JOIN },
      on: (event: string, listener: (event: unknown) => void) => {
        emitter.on(event, listener);
        return () => emitter.off(event, listener);
      },
      connect: async () => {
        await fake.consumerConnect();
        state.connected = true;
      },
      disconnect: async () => {
        state.connected = false;
      },
      subscribe: async (subscription: { topic: string; fromBeginning?: boolean }) => {
        state.subscriptions.push(subscription);
      },
      run: async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
        state.eachBatch = eachBatch;
      },
      // As kafkajs's runner: a commit once the consumer is disconnecting is skipped, silently.
      commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
        if (state.connected) state.commits.push(...offsets);
      },
    };
  };
  fake.kafka = { producer, admin, consumer } as unknown as KafkaLike;
  return fake;
}

/** A batch payload for `eachBatch`, as kafkajs hands it over. */
export function batchOf(
  topic: string,
  partition: number,
  values: string[],
  options: {
    firstOffset?: number;
    isRunning?: () => boolean;
    heartbeat?: () => Promise<void>;
    /** Each record's timestamp. @default now */
    timestamp?: number;
  } = {},
): EachBatchPayload {
  const first = options.firstOffset ?? 0;
  const messages = values.map((value, i) => ({
    key: Buffer.from(`k${first + i}`),
    value: Buffer.from(value),
    offset: String(first + i),
    timestamp: String(options.timestamp ?? Date.now()),
    attributes: 0,
    headers: {},
  }));
  return {
    batch: { topic, partition, messages, highWatermark: String(first + values.length) },
    heartbeat: options.heartbeat ?? (async () => undefined),
    isRunning: options.isRunning ?? (() => true),
    isStale: () => false,
    resolveOffset: () => undefined,
    commitOffsetsIfNecessary: async () => undefined,
    uncommittedOffsets: () => ({ topics: [] }),
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
}
