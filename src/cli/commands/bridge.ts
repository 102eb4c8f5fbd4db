/** `opensky-stream bridge`: its flags and help (the implementation, src/cli/run/bridge.ts, loads when it runs: commands.ts). */

import { DEFAULT_BATCH_SIZE } from '../../bridge/options.ts';
import { DEFAULT_BRIDGE_GROUP_ID, DEFAULT_FUNCTION_NAME } from '../../config/defaults.ts';
import { ConfigError } from '../../errors.ts';
import { defineCommand } from '../command.ts';
import { flags } from '../flags.ts';
import { metricsFlags } from '../metrics.ts';
import { awsFlags, duration, durationFlag, kafkaClientFlags, kafkaFlags, logFlags } from '../options.ts';

/** `LATEST`, `TRIM_HORIZON` or an ISO time (AT_TIMESTAMP). */
function startingPosition(value: string, flag: string): 'LATEST' | 'TRIM_HORIZON' | { timestamp: number } {
  if (value === 'LATEST' || value === 'TRIM_HORIZON') return value;
  const timestamp = Date.parse(value);
  if (!Number.isFinite(timestamp))
    throw new ConfigError(`--${flag}`, `must be LATEST, TRIM_HORIZON or an ISO time, got '${value}'`);
  return { timestamp };
}

/** A topic, or `none` (retry for ever): `null`. */
const deadLetterTopic = (value: string) => (value === 'none' ? null : value);

export const bridgeFlags = flags({
  ...kafkaFlags,
  ...kafkaClientFlags,
  ...awsFlags,
  ...metricsFlags,
  ...logFlags,
  'function-name': {
    type: 'string',
    to: 'invoker.functionName',
    env: 'LAMBDA_FUNCTION_NAME',
    describe: 'Function name or ARN',
    default: DEFAULT_FUNCTION_NAME,
    group: 'Lambda:',
  },
  'group-id': {
    type: 'string',
    to: 'invoker.groupId',
    env: 'KAFKA_GROUP_ID',
    describe: 'Consumer group',
    default: DEFAULT_BRIDGE_GROUP_ID,
    group: 'Kafka:',
  },
  'batch-size': {
    type: 'number',
    to: 'invoker.batchSize',
    env: 'BRIDGE_BATCH_SIZE',
    describe: 'Records per invocation (1-10000), also bounded by the 6 MB payload limit',
    default: DEFAULT_BATCH_SIZE,
    group: 'Lambda:',
  },
  'batching-window': {
    type: 'string',
    to: 'invoker.batchingWindowMs',
    env: 'BRIDGE_BATCHING_WINDOW',
    describe: 'How long to wait to fill a batch',
    default: '500ms',
    group: 'Lambda:',
    parse: duration,
  },
  'starting-position': {
    type: 'string',
    to: 'invoker.startingPosition',
    env: 'BRIDGE_STARTING_POSITION',
    // A new group reads what was produced before it started (produce, then bridge, as the
    // getting-started guide runs them, loses nothing); AWS's mappings advise the same.
    describe:
      'Where a new group starts: TRIM_HORIZON (the oldest record kept: nothing produced before is skipped), LATEST, or an ISO time (AT_TIMESTAMP)',
    default: 'TRIM_HORIZON',
    group: 'Kafka:',
    parse: startingPosition,
  },
  'dead-letter-topic': {
    type: 'string',
    to: 'invoker.deadLetterTopic',
    env: 'BRIDGE_DEAD_LETTER_TOPIC',
    describe: "Topic for batches that keep failing (default <topic>-dlq); 'none' to retry forever instead",
    group: 'Lambda:',
    parse: deadLetterTopic,
  },
  'max-retries': {
    type: 'number',
    to: 'invoker.retry',
    env: 'BRIDGE_MAX_RETRIES',
    describe:
      'Retries of a batch the function failed before the dead-letter topic (-1: forever); throttled or unreachable Invokes are retried until they pass',
    default: 3,
    group: 'Lambda:',
  },
  bisect: {
    type: 'boolean',
    to: 'invoker.bisectBatchOnFunctionError',
    default: false,
    describe: 'Split failing batches to isolate bad records',
    group: 'Lambda:',
  },
  'max-record-age': {
    type: 'string',
    to: 'invoker.maximumRecordAgeSeconds',
    describe: 'Dead-letter records older than this (e.g. 1h)',
    group: 'Lambda:',
    parse: (value: string, flag: string) => duration(value, flag) / 1000,
  },
  'invoke-transport': {
    type: 'string',
    to: 'invoker.invokeTransport',
    env: 'BRIDGE_INVOKE_TRANSPORT',
    choices: ['rest', 'sdk'],
    default: 'rest',
    describe:
      "How Invokes are sent: 'rest', signed requests of the bridge's own (less CPU per record); 'sdk', the AWS SDK's client (its retries too)",
    group: 'Lambda:',
  },
  concurrency: {
    type: 'number',
    to: 'invoker.partitionConcurrency',
    default: 3,
    describe: 'Partitions processed at once',
    group: 'Kafka:',
  },
  ...durationFlag('Stop after this long (30s, 5m)'),
});

export const bridgeCommand = defineCommand({
  command: 'bridge',
  describe:
    'Consume Kafka and invoke a Lambda function with the records (the event AWS event source mappings send)',
  flags: bridgeFlags,
  help: (y) =>
    y
      .example('$0 bridge --endpoint-url http://127.0.0.1:4566', 'to the local stack')
      .example(
        '$0 bridge --function-name my-fn --batch-size 500 --starting-position LATEST',
        'real AWS, only what is produced from now on',
      ),
});
