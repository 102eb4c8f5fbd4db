/**
 * Starting the live page (src/ui/server.ts) from the `--ui` / `--ui-port` options of `demo`
 * and `tail` (src/cli/ui-flags.ts), with its Kafka view when Kafka is configured.
 */
import { type KafkaConnectionOptions, kafkaConfigFromEnv } from '../kafka/client.ts';
import type { Logger } from '../logger.ts';
import { createKafkaInspector, type KafkaInspector } from '../ui/kafka-view.ts';
import { type LiveServer, startLiveServer } from '../ui/server.ts';
import { splitList } from './options.ts';

/** What the live page needs of a command's options (the shape of `--ui`, `--ui-port`, `--brokers`, `--topic`). */
export interface LivePageOptions {
  ui?: boolean | undefined;
  'ui-port'?: number | undefined;
  /** The command's Kafka brokers, comma-separated (with `kafka` for the rest of the connection). */
  brokers?: string | undefined;
  /** The command's whole Kafka connection, when it has one. */
  kafka?: KafkaConnectionOptions | undefined;
  topic?: string | undefined;
}

/**
 * The Kafka view's inspector when the command has Kafka: its `--brokers` (with `--topic`
 * shown first), else `KAFKA_BROKERS` in the environment (tail, which has no Kafka flags).
 */
export function kafkaViewOf(
  options: LivePageOptions,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): KafkaInspector | undefined {
  const topic = options.topic || undefined;
  if (options.kafka) return createKafkaInspector({ ...options.kafka, defaultTopic: topic, logger });
  if (options.brokers) {
    const brokers = splitList(options.brokers);
    return createKafkaInspector({ brokers, defaultTopic: topic, logger });
  }
  if (env.KAFKA_BROKERS) return createKafkaInspector({ ...kafkaConfigFromEnv(env), logger });
  return undefined;
}

/**
 * Start the live page when `--ui` is on. A port already in use is a warning, not a failure:
 * the pipeline is what the command is for.
 */
export async function openLivePage(
  options: LivePageOptions,
  logger: Logger,
  title: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LiveServer | undefined> {
  if (!options.ui) return undefined;
  let kafka: KafkaInspector | undefined;
  try {
    kafka = kafkaViewOf(options, env, logger);
    const page = await startLiveServer({ port: options['ui-port'] ?? 8080, title, kafka });
    logger.info(`live page: ${page.url}`);
    return page;
  } catch (error) {
    await kafka?.close();
    logger.warn('the live page could not start (--ui-port chooses another port, --no-ui turns it off)', {
      error: (error as Error).message,
    });
    return undefined;
  }
}
