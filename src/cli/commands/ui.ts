import type { CommandModule } from 'yargs';
import type { LogLevel } from '../../logger.ts';
import { createKafkaInspector } from '../../ui/kafka-view.ts';
import { startLiveServer } from '../../ui/server.ts';
import type { CommandFactory } from '../command.ts';
import { kafkaFromArgv } from '../config.ts';
import { uiPortOption } from '../live-page.ts';
import { envOption, kafkaOptions, logOptions, parseDuration } from '../options.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';

/**
 * `opensky-stream ui`: the live page on its own, opened on its Kafka view, for a look at a
 * cluster without running a pipeline (what a Kafka UI is for). Read-only.
 */
export const uiCommand: CommandFactory = (env, exit): CommandModule => ({
  command: 'ui',
  describe:
    'A read-only look into Kafka in the browser: topics and their offsets, consumer groups with their lag, and the newest messages of a topic',
  builder: (y) =>
    y
      .options({
        ...kafkaOptions(env),
        topic: envOption(env, 'KAFKA_TOPIC', {
          type: 'string',
          describe: 'The topic whose newest messages the view shows first',
          default: 'aviation-data',
          group: 'Kafka:',
        }),
        ...logOptions(env),
      })
      .options({
        'ui-port': uiPortOption(),
        duration: { type: 'string', describe: 'Stop after this long (30s, 5m); default: until Ctrl-C' },
      })
      .example('$0 ui', 'the local stack (or KAFKA_BROKERS) on http://127.0.0.1:8080/')
      .example('$0 ui --brokers kafka1:9092 --ui-port 8081', 'another cluster, on another port'),
  handler: async (argv) => {
    const logger = cliLogger(argv['log-level'] as LogLevel, 'ui');
    const duration = parseDuration(argv.duration as string, 'duration');
    const kafka = kafkaFromArgv(argv, env);
    const inspector = createKafkaInspector({ ...kafka, defaultTopic: String(argv.topic), logger });
    const { signal, dispose } = shutdownSignal(logger);
    const page = await startLiveServer({
      port: Number(argv['ui-port']),
      title: `opensky-stream: ${(kafka.brokers ?? []).join(',')}`,
      kafka: inspector,
      view: 'kafka',
    }).catch(async (error: unknown) => {
      dispose();
      await inspector.close();
      throw error;
    });
    logger.info(`live page: ${page.url}`, { brokers: kafka.brokers });
    try {
      await new Promise<void>((resolve) => {
        const timer = duration ? setTimeout(resolve, duration) : undefined;
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    } finally {
      await page.close();
      dispose();
      logger.info('done');
    }
    exit.code = ExitCode.OK;
  },
});
