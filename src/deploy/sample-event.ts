/**
 * `invoke --sample N`: a Kafka event of N state vectors built the way the
 * pipeline builds one: the messages `produce` writes (KafkaSink's
 * `snapshotMessages`: key icao24, the JSON state vector, its headers), placed
 * on partitions by Kafka's default partitioner as the producer places them,
 * then grouped into the self-managed Kafka event by `buildKafkaEvent`, as the
 * bridge and an event source mapping deliver it.
 *
 * @module
 */

import { DEFAULT_KAFKA_BROKERS, DEFAULT_KAFKA_TOPIC } from '../config/defaults.ts';
import type { StateVector } from '../domain/types.ts';
import { buildKafkaEvent, type ConsumedRecord, type KafkaEvent } from '../handler/event.ts';
import { Partitioners } from '../kafka/kafkajs.ts';
import { snapshotMessages } from '../kafka/messages.ts';
import { replaySnapshots } from '../opensky/replay.ts';
import { syntheticSnapshots } from '../synthetic/generator.ts';

/** Options of {@link sampleKafkaEvent}. */
export interface SampleEventOptions {
  /** Records in the event. */
  records: number;
  /** Take the state vectors from this recording (as `produce --replay` reads it) instead of generating them. */
  replay?: string;
  /** @default 'aviation-data' */
  topic?: string;
  /** Partitions the records are spread over, by key. @default 3 */
  partitions?: number;
  /** The event's `bootstrapServers`. @default ['127.0.0.1:9092'] */
  bootstrapServers?: readonly string[];
  /** Seed of the synthetic traffic. @default 1 */
  seed?: number;
}

async function snapshots(
  options: SampleEventOptions,
): Promise<Array<{ time: number; states: StateVector[] }>> {
  const taken: Array<{ time: number; states: StateVector[] }> = [];
  let count = 0;
  const source = options.replay
    ? replaySnapshots(options.replay)
    : syntheticSnapshots({ aircraft: options.records, seed: options.seed ?? 1, maxSnapshots: 1 });
  for await (const snapshot of source) {
    const states = snapshot.states.slice(0, options.records - count);
    taken.push({ time: snapshot.time, states });
    count += states.length;
    if (count >= options.records) break;
  }
  return taken;
}

/** The event; fewer records than asked only when the recording holds fewer. */
export async function sampleKafkaEvent(options: SampleEventOptions): Promise<KafkaEvent> {
  const topic = options.topic ?? DEFAULT_KAFKA_TOPIC;
  const partitionMetadata = Array.from({ length: options.partitions ?? 3 }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const partitioner = Partitioners.DefaultPartitioner();
  const offsets = new Map<number, number>();
  const now = Date.now();
  const records: ConsumedRecord[] = [];
  for (const snapshot of await snapshots(options)) {
    for (const message of snapshotMessages(snapshot)) {
      const partition = partitioner({ topic, partitionMetadata, message });
      const offset = offsets.get(partition) ?? 0;
      offsets.set(partition, offset + 1);
      records.push({
        topic,
        partition,
        offset: String(offset),
        timestamp: String(now),
        key: Buffer.from(String(message.key)),
        value: Buffer.from(String(message.value)),
        headers: message.headers as ConsumedRecord['headers'],
      });
    }
  }
  return buildKafkaEvent(records, options.bootstrapServers ?? DEFAULT_KAFKA_BROKERS);
}
