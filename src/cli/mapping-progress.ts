/**
 * What an event source mapping is doing, for a progress line: its state, its
 * last processing result (AWS's words) and its consumer group's lag, read once
 * a second through the Lambda API and the Kafka admin API: the mapping runs
 * elsewhere (in the stack, or on AWS), never in this process.
 */
import { GetEventSourceMappingCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { KafkaLike } from '../kafka/client.ts';
import { groupLag } from '../kafka/lag.ts';

/** The latest reading of a mapping. */
export interface MappingReading {
  state: string;
  lastProcessingResult: string;
  /** Records not yet committed by the mapping's consumer group; undefined until first read. */
  lag: number | undefined;
  /** Records in the mapping's dead-letter topic (`<topic>-dlq`), when it exists. */
  deadLettered: number | undefined;
}

/** A mapping watched in the background: `current` holds the latest reading; `stop()` ends it. */
export interface MappingProgress {
  readonly current: MappingReading;
  stop(): Promise<void>;
}

/** Watch mapping `uuid` every `everyMs` until `stop()`. Readings that fail keep the previous values. */
export async function mappingProgress(
  kafka: KafkaLike,
  lambda: LambdaClient,
  uuid: string,
  topic: string,
  everyMs = 1000,
): Promise<MappingProgress> {
  const current: MappingReading = {
    state: 'Unknown',
    lastProcessingResult: '',
    lag: undefined,
    deadLettered: undefined,
  };
  const admin = kafka.admin();
  await admin.connect();
  let groupId = uuid;
  const read = async () => {
    try {
      const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      current.state = mapping.State ?? 'Unknown';
      current.lastProcessingResult = mapping.LastProcessingResult ?? '';
      // AWS's default consumer group is the mapping's UUID.
      groupId = mapping.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId || groupId;
      current.lag = await groupLag(admin, groupId, topic);
      const dlq = mapping.DestinationConfig?.OnFailure?.Destination?.replace(/^kafka:\/\//, '');
      if (dlq && !dlq.startsWith('arn:')) {
        const ends = await admin.fetchTopicOffsets(dlq).catch(() => []);
        current.deadLettered = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      }
    } catch {
      // A reading is for display only: keep the last one.
    }
  };
  await read();
  let reading: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    reading = reading.then(read);
  }, everyMs);
  return {
    current,
    async stop() {
      clearInterval(timer);
      await reading;
      await admin.disconnect().catch(() => undefined);
    },
  };
}
