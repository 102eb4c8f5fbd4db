/** `opensky-stream bridge`, run: consume Kafka and invoke a function (flags: src/cli/commands/bridge.ts). */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createPipeline } from '../../pipeline/create-pipeline.ts';
import type { CommandRun } from '../command.ts';
import type { bridgeFlags } from '../commands/bridge.ts';
import { awsConfig, kafkaConnection } from '../config.ts';
import { runService } from '../lifecycle.ts';
import { ExitCode, rateMeter } from '../runtime.ts';

export const runBridge: CommandRun<typeof bridgeFlags> = (o, { env }) =>
  runService(
    { name: 'bridge', logLevel: o.logLevel, metrics: o.metrics, durationMs: o.durationMs },
    ({ logger, signal }) => {
      const { deadLetterTopic, maximumRecordAgeSeconds, ...invoker } = o.invoker;
      const pipeline = createPipeline({
        mode: 'bridge',
        invoker: {
          ...kafkaConnection(o.kafka, env),
          topic: o.kafka.topic,
          client: o.kafka.client,
          ...invoker,
          ...(deadLetterTopic !== undefined ? { deadLetterTopic } : {}),
          ...(maximumRecordAgeSeconds !== undefined ? { maximumRecordAgeSeconds } : {}),
          lambda: new LambdaClient(awsConfig(o.aws, env)),
        },
        logger,
        signal,
      });
      const rate = rateMeter();
      return {
        pipelines: [pipeline],
        progress: () => {
          const s = pipeline.stats.invoker;
          return {
            records: s?.recordsIn ?? 0,
            'rec/s': rate(s?.recordsIn ?? 0),
            invocations: s?.invocations ?? 0,
            errors: s?.errors ?? 0,
            retries: s?.retries ?? 0,
            dlq: s?.deadLettered ?? 0,
            restarts: s?.restarts ?? 0,
            'invoke ms': Math.round(s?.lastInvokeMs ?? 0),
          };
        },
        async run() {
          await pipeline.run();
          return (pipeline.stats.invoker?.deadLettered ?? 0) > 0 ? ExitCode.PARTIAL : ExitCode.OK;
        },
        stop: () => void pipeline.stop(),
        done: () => ({ ...pipeline.stats.invoker }),
      };
    },
  );
