/**
 * The structural shape of a KafkaJS client, on its own so that both the
 * connection module (./client.ts) and the seam's kafkajs adapter
 * (./clients/kafkajs.ts) name it without importing each other.
 *
 * @module
 */
import type { Kafka } from 'kafkajs';

/** The parts of a KafkaJS-shaped client the primitives use. */
export interface KafkaLike {
  producer: Kafka['producer'];
  consumer: Kafka['consumer'];
  admin: Kafka['admin'];
}
