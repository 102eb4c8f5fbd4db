export {
  createKafkaClient,
  type EnsureTopicOptions,
  ensureTopic,
  type KafkaConnectionOptions,
  type KafkaLike,
  type KafkaSaslOptions,
  kafkaConfigFromEnv,
} from './client.ts';
export { classifyKafkaError, type KafkaFailureKind } from './failures.ts';
export { chunkMessages, SinkHeaders, type SinkMessage, snapshotMessages } from './messages.ts';
export { KafkaSink, type KafkaSinkCloseReport, type KafkaSinkEvents, type KafkaSinkStats } from './sink.ts';
export {
  defaultKafkaSinkOptions,
  type KafkaSinkOptions,
  type ResolvedKafkaSinkOptions,
  resolveKafkaSinkOptions,
} from './sink-options.ts';
