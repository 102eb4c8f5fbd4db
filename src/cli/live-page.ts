/**
 * The `--ui` / `--ui-port` options of `demo` and `tail`, and starting the live page
 * (src/ui/server.ts) from them, with its Kafka view when Kafka is configured.
 */
import { kafkaConfigFromEnv } from '../kafka/client.ts';
import type { Logger } from '../logger.ts';
import { createKafkaInspector, type KafkaInspector } from '../ui/kafka-view.ts';
import { type LiveServer, startLiveServer } from '../ui/server.ts';
import { kafkaFromArgv } from './config.ts';

/** `--ui-port`: where the live page listens. */
export const uiPortOption = () => ({
  type: 'number' as const,
  default: 8080,
  describe: 'Port of the live page (bound to 127.0.0.1; 0 picks a free one)',
});

/** `--ui` (on by default for the demo, off for tail) and `--ui-port`. */
export const uiOptions = (uiByDefault: boolean) => ({
  ui: {
    type: 'boolean' as const,
    default: uiByDefault,
    describe: `Serve a live map of the aircraft and a health panel on http://127.0.0.1:<ui-port>/, with a Kafka view of topics, consumer groups and messages when Kafka brokers are configured${uiByDefault ? ' (--no-ui: off)' : ' (KAFKA_BROKERS)'}`,
  },
  'ui-port': uiPortOption(),
});

/**
 * The Kafka view's inspector when the command has Kafka: its `--brokers` (with `--topic`
 * shown first), else `KAFKA_BROKERS` in the environment (tail, which has no Kafka flags).
 */
export function kafkaViewFromArgv(
  argv: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): KafkaInspector | undefined {
  if (argv.brokers !== undefined && argv.brokers !== '') {
    const topic = argv.topic === undefined || argv.topic === '' ? undefined : String(argv.topic);
    return createKafkaInspector({ ...kafkaFromArgv(argv, env), defaultTopic: topic, logger });
  }
  if (env.KAFKA_BROKERS) return createKafkaInspector({ ...kafkaConfigFromEnv(env), logger });
  return undefined;
}

/**
 * Start the live page when `--ui` is on. A port already in use is a warning, not a failure:
 * the pipeline is what the command is for.
 */
export async function openLivePage(
  argv: Record<string, unknown>,
  logger: Logger,
  title: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LiveServer | undefined> {
  if (!argv.ui) return undefined;
  let kafka: KafkaInspector | undefined;
  try {
    kafka = kafkaViewFromArgv(argv, env, logger);
    const page = await startLiveServer({ port: Number(argv['ui-port']), title, kafka });
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
