/** `opensky-stream destroy`, run (flags: src/cli/commands/destroy.ts). */
import { createInterface } from 'node:readline/promises';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { destroyPipelineResources } from '../../deploy/destroy.ts';
import { deleteKafkaTopics } from '../../deploy/kafka-teardown.ts';
import { checkFunctionName } from '../../deploy/options.ts';
import { ConfigError } from '../../errors.ts';
import { createKafkaClient } from '../../kafka/client.ts';
import type { CommandRun } from '../command.ts';
import type { destroyFlags } from '../commands/destroy.ts';
import { awsConfig, kafkaConnection } from '../config.ts';
import { cliLogger, ExitCode } from '../runtime.ts';

/** Ask on the terminal; anything but y/yes is a no. */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export const runDestroy: CommandRun<typeof destroyFlags> = async (o, { env }) => {
  const functionName = checkFunctionName(o.functionName, '--function-name');
  const { topicName } = o;
  const kafkaTopics = o.kafkaTopics ?? [];
  if (!o.yes) {
    if (!process.stdin.isTTY)
      throw new ConfigError('--yes', 'is needed to destroy without a terminal to confirm on');
    const what = [
      `function ${functionName}`,
      `SNS topic ${topicName}`,
      ...kafkaTopics.map((t) => `Kafka topic ${t}`),
    ];
    if (!(await confirm(`Delete ${what.join(', ')}?`)))
      throw new ConfigError('destroy', 'not confirmed: nothing deleted');
  }
  const logger = cliLogger(o.logLevel, 'destroy');
  const config = awsConfig(o.aws, env);
  const result = await destroyPipelineResources({
    functionName,
    topicName,
    lambda: new LambdaClient(config),
    sns: new SNSClient(config),
    iam: new IAMClient(config),
    logger,
  });
  const kafka =
    kafkaTopics.length > 0
      ? await deleteKafkaTopics(createKafkaClient(kafkaConnection(o.kafka, env), logger), kafkaTopics)
      : undefined;
  console.log(JSON.stringify({ ...result, ...(kafka ? { kafka } : {}) }, null, 2));
  return ExitCode.OK;
};
