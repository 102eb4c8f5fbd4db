/** `opensky-stream count`, run (flags: src/cli/commands/count.ts). */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { countPublished } from '../../handler/metrics.ts';
import type { CommandRun } from '../command.ts';
import type { countFlags } from '../commands/count.ts';
import { awsConfig } from '../config.ts';
import { ExitCode } from '../runtime.ts';

export const runCount: CommandRun<typeof countFlags> = async (o, { env }) => {
  const { minutes, topicName } = o;
  const result = await countPublished(new CloudWatchClient(awsConfig(o.aws, env)), topicName, minutes);
  if (o.json) console.log(JSON.stringify({ topic: topicName, minutes, ...result }));
  else {
    for (const { minute, count } of result.perMinute) console.log(`${minute}Z  ${String(count).padStart(7)}`);
    console.log(`${result.total} notifications published to ${topicName} in the last ${minutes} min`);
  }
  return ExitCode.OK;
};
