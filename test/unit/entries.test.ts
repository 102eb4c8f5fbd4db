/**
 * The package's entries by purpose, pinned: what each exports (so internals do
 * not leak in by accident), and that `opensky-stream/lambda` pulls in nothing
 * the function does not run (kafkajs, IAM, yargs, the CLI, the stack).
 * Adding an export on purpose means adding it here.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const exportsOf = async (path: string) => Object.keys(await import(path)).sort();

describe('package entries', () => {
  it('opensky-stream/lambda: handler, batch core, transform and the Kafka event codec', async () => {
    expect(await exportsOf('../../src/entries/lambda.ts')).toEqual([
      'FullBatchFailureError',
      'RecordOutcomes',
      'SnsPublisher',
      'ValidationError',
      'createFlightHandler',
      'createJsonLogger',
      'decodeKafkaRecord',
      'eventRecords',
      'isOpenSkyStreamError',
      'kafkaItemIdentifier',
      'parseStatesResponse',
      'processFlightBatch',
      'stateVectorFromArray',
      'transformStateVector',
      'tryTransformStateVector',
    ]);
  });

  it("opensky-stream/testing: the local stack and what a handler's tests need", async () => {
    expect(await exportsOf('../../src/entries/testing.ts')).toEqual([
      'buildKafkaEvent',
      'countPublished',
      'defaultRunDir',
      'localStackStatus',
      'parseBatchResponse',
      'startLocalStack',
    ]);
  });

  it('opensky-stream/deploy: the AWS resources from code and the deployment package', async () => {
    expect(await exportsOf('../../src/entries/deploy.ts')).toEqual([
      'LAMBDA_HANDLER',
      'LAMBDA_TRUST_POLICY',
      'deployPipelineResources',
      'destroyPipelineResources',
      'ensureKafkaEventSourceMapping',
      'functionPolicy',
      'lambdaPackage',
      'mergeFunctionPolicy',
      'zipPackage',
    ]);
  });

  it('opensky-stream/sns: the limits and naming rules of SNS the publisher applies', async () => {
    expect(await exportsOf('../../src/entries/sns.ts')).toEqual([
      'SNS_ATTRIBUTE_TYPES',
      'SNS_MAX_ATTRIBUTES',
      'SNS_MAX_BATCH_BYTES',
      'SNS_MAX_BATCH_ENTRIES',
      'SNS_MAX_FIFO_ID_LENGTH',
      'defaultGroupId',
      'isFifoTopic',
      'isTopicArn',
      'isValidAttributeName',
      'isValidTopicName',
    ]);
  });

  it('opensky-stream/metrics: Prometheus for the pipelines, prom-client loaded only here', async () => {
    expect(await exportsOf('../../src/metrics/index.ts')).toEqual([
      'PROMETHEUS_METRIC_PREFIX',
      'PipelineMetrics',
      'pipelineReadiness',
      'servePipelineMetrics',
      'startMetricsServer',
    ]);
  });

  it('opensky-stream: what pipelines are built with, pinned at 65 values', async () => {
    // The primitives, their options' defaults, the sources, the transform, the errors. Helpers
    // live on a subpath by purpose (deploy, sns, testing, lambda) or stay internal.
    expect(await exportsOf('../../src/index.ts')).toEqual([
      'AbortError',
      'AdsbApiSource',
      'AuthError',
      'ConfigError',
      'CreditTiers',
      'DeadLetterHeaders',
      'ErrorCodes',
      'FailoverSource',
      'FullBatchFailureError',
      'KafkaError',
      'KafkaSink',
      'LambdaInvokeError',
      'LambdaInvoker',
      'MAX_INVOKE_PAYLOAD_BYTES',
      'OPENSKY_TOKEN_URL',
      'OpenSkyHttpError',
      'OpenSkySource',
      'OpenSkyStreamError',
      'PublishFailureCodes',
      'ReadsbSource',
      'RecordOutcomes',
      'STATE_VECTOR_FIELDS',
      'SinkHeaders',
      'SnsPublishError',
      'SnsPublisher',
      'StandbySource',
      'TOO_LARGE',
      'TRACEPARENT',
      'TRANSFORM_ERROR',
      'TokenProvider',
      'ValidationError',
      'checkStateVector',
      'childTraceparent',
      'countryOfIcao24',
      'createFlightHandler',
      'createJsonLogger',
      'createKafkaClient',
      'createPipeline',
      'createSnsClient',
      'creditCost',
      'defaultAdsbApiSourceOptions',
      'defaultFailoverSourceOptions',
      'defaultKafkaSinkOptions',
      'defaultReadsbSourceOptions',
      'defaultSnsPublisherOptions',
      'defaultStandbySourceOptions',
      'ensureTopic',
      'formatTraceparent',
      'hasErrorCode',
      'isOpenSkyStreamError',
      'kafkaConfigFromEnv',
      'loadOpenSkyCredentials',
      'newTraceparent',
      'parseStatesResponse',
      'parseTraceparent',
      'processFlightBatch',
      'recordingLine',
      'replaySnapshots',
      'silentLogger',
      'stateVectorFromArray',
      'syntheticSnapshots',
      'toStateVectorMessage',
      'transformStateVector',
      'tryTransformStateVector',
      'validateBoundingBox',
    ]);
  });

  it('bundles opensky-stream/lambda without kafkajs, IAM, yargs, the CLI or the stack', async () => {
    const result = await build({
      entryPoints: ['src/entries/lambda.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const banned = inputs.filter((path) =>
      /node_modules\/(kafkajs|yargs|@aws-sdk\/client-(iam|lambda|sqs))\/|src\/(cli|stack|kafka)\//.test(path),
    );
    expect(banned).toEqual([]);
    expect(inputs.some((path) => path.includes('@aws-sdk/client-sns'))).toBe(true);
    const bytes = result.outputFiles[0]!.contents.byteLength;
    console.log(`opensky-stream/lambda bundled and minified: ${(bytes / 1024).toFixed(0)} KiB`);
  });
});
