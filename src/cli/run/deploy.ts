/** `opensky-stream deploy`, run (flags: src/cli/commands/deploy.ts). */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { codePackage, missingHandlerModule } from '../../deploy/code.ts';
import { deployPipelineResources, functionPolicy } from '../../deploy/deploy.ts';
import {
  ensureKafkaEventSourceMapping,
  type KafkaTriggerOptions,
} from '../../deploy/event-source-mapping.ts';
import { ConfigError } from '../../errors.ts';
import { createKafkaClient, ensureTopic } from '../../kafka/client.ts';
import type { CommandRun } from '../command.ts';
import type { deployFlags } from '../commands/deploy.ts';
import { awsConfig } from '../config.ts';
import type { FlagValues } from '../flags.ts';
import { cliLogger, ExitCode } from '../runtime.ts';

type DeployOptions = FlagValues<typeof deployFlags>;

/** The Kafka trigger asked for (`--kafka-bootstrap-servers` or `--msk-cluster-arn`), or none. */
function triggerOptions(o: DeployOptions): Omit<KafkaTriggerOptions, 'functionName'> | undefined {
  const { trigger } = o;
  const servers = trigger.bootstrapServers ?? [];
  const msk = trigger.mskClusterArn;
  if (servers.length === 0 && !msk) {
    const given = {
      'starting-position': trigger.startingPosition,
      'batch-size': trigger.batchSize,
      'consumer-group-id': trigger.consumerGroupId,
      'dead-letter-topic': trigger.deadLetterTopic,
    };
    for (const [flag, value] of Object.entries(given))
      if (value !== undefined)
        throw new ConfigError(`--${flag}`, 'goes with --kafka-bootstrap-servers or --msk-cluster-arn');
    return undefined;
  }
  if (servers.length > 0 && msk)
    throw new ConfigError('--msk-cluster-arn', 'give it or --kafka-bootstrap-servers, not both');
  const pollers = trigger.provisionedPollers ?? '1:3';
  const match = /^(\d+):(\d+)$/.exec(pollers);
  if (pollers !== 'off' && (!match || Number(match[1]) < 1 || Number(match[2]) < Number(match[1])))
    throw new ConfigError(
      '--provisioned-pollers',
      `must be MIN:MAX (1 ≤ MIN ≤ MAX) or off, got '${pollers}'`,
    );
  const dlq = trigger.deadLetterTopic;
  return {
    topic: trigger.topic,
    ...(msk ? { mskClusterArn: msk } : { bootstrapServers: servers }),
    ...(trigger.startingPosition ? { startingPosition: trigger.startingPosition } : {}),
    ...(trigger.batchSize !== undefined ? { batchSize: trigger.batchSize } : {}),
    ...(trigger.consumerGroupId ? { consumerGroupId: trigger.consumerGroupId } : {}),
    ...(dlq !== undefined ? { deadLetterTopic: dlq === 'off' ? null : dlq } : {}),
    provisionedPollers: match ? { minimum: Number(match[1]), maximum: Number(match[2]) } : null,
  };
}

/** The code to deploy: yours (`--code`) with its handler, or the reference handler's bundle. */
function userCode(o: DeployOptions) {
  const path = o.code;
  const handler = o.handler;
  if (path === undefined) {
    if (handler !== undefined)
      throw new ConfigError('--handler', 'goes with --code (the reference handler is index.handler)');
    return undefined;
  }
  const code = codePackage(path);
  const chosen = handler ?? code.handler;
  if (chosen === undefined) {
    throw new ConfigError(
      '--handler',
      `is needed: ${path} has no index.mjs, index.js or index.cjs (nor one module at its root) to default to`,
    );
  }
  // Only Node.js handlers name a module file; other runtimes resolve handlers their own way.
  const missing = o.runtime.startsWith('nodejs') ? missingHandlerModule(chosen, code.files) : undefined;
  if (missing) throw new ConfigError('--handler', `${chosen} ${missing}`);
  return { zip: code.zip, handler: chosen };
}

export const runDeploy: CommandRun<typeof deployFlags> = async (o, { env }) => {
  if (o.printPolicy) {
    const topic = `arn:aws:sns:<region>:<account>:${o.topicName}`;
    console.log(JSON.stringify(functionPolicy(topic), null, 2));
    return ExitCode.OK;
  }
  const code = userCode(o);
  const trigger = triggerOptions(o);
  const logger = cliLogger(o.logLevel, 'deploy');
  const config = awsConfig(o.aws, env);
  const lambda = new LambdaClient(config);
  const result = await deployPipelineResources({
    functionName: o.functionName,
    topicName: o.topicName,
    roleArn: o.roleArn,
    runtime: o.runtime,
    timeout: o.timeout,
    memorySize: o.memory,
    zip: code?.zip,
    handler: code?.handler,
    force: o.force,
    lambda,
    sns: new SNSClient(config),
    iam: new IAMClient(config),
    logger,
  });
  if (!trigger) {
    console.log(JSON.stringify(result, null, 2));
    return ExitCode.OK;
  }
  if (trigger.bootstrapServers) {
    // The topic the mapping consumes, with the pipeline's partitions; brokers deploy cannot reach
    // (a private cluster) are the mapping's business, not a reason to fail.
    const kafka = createKafkaClient(
      { brokers: [...trigger.bootstrapServers], connectionTimeoutMs: 5000, requestTimeoutMs: 10_000 },
      logger,
    );
    await ensureTopic(kafka, { topic: String(trigger.topic) }, logger).catch((error: unknown) =>
      logger.warn('could not create the topic (the mapping waits for it)', {
        topic: trigger.topic,
        error: (error as Error).message,
      }),
    );
  }
  const mapping = await ensureKafkaEventSourceMapping({
    functionName: result.functionName,
    ...trigger,
    lambda,
    logger,
  });
  console.log(JSON.stringify({ ...result, eventSourceMapping: mapping }, null, 2));
  return ExitCode.OK;
};
