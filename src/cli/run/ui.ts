/** `opensky-stream ui`, run (flags: src/cli/commands/ui.ts). */
import { createKafkaInspector } from '../../ui/kafka-view.ts';
import { startLiveServer } from '../../ui/server.ts';
import type { CommandRun } from '../command.ts';
import type { uiFlags } from '../commands/ui.ts';
import { kafkaConnection } from '../config.ts';
import { cliLogger, ExitCode, shutdownSignal } from '../runtime.ts';

export const runUi: CommandRun<typeof uiFlags> = async (o, { env }) => {
  const logger = cliLogger(o.logLevel, 'ui');
  const kafka = kafkaConnection(o.kafka, env);
  const inspector = createKafkaInspector({ ...kafka, defaultTopic: o.kafka.topic, logger });
  const { signal, dispose } = shutdownSignal(logger);
  const page = await startLiveServer({
    port: o.ui.port,
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
      const timer = o.durationMs ? setTimeout(resolve, o.durationMs) : undefined;
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
  return ExitCode.OK;
};
