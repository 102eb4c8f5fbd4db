export {
  createKafkaClient,
  type EnsureTopicOptions,
  ensureTopic,
  type KafkaConnectionOptions,
  type KafkaLike,
  type KafkaSaslOptions,
  kafkaConfigFromEnv,
} from './client.ts';
export {
  chunkMessages,
  KafkaSink,
  type KafkaSinkOptions,
  type KafkaSinkStats,
  SinkHeaders,
  snapshotMessages,
} from './sink.ts';
