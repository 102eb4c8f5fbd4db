/**
 * The package's entries by runtime, pinned: what each exports (so internals do
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

  it('opensky-stream/testing: the local stack for your own tests', async () => {
    expect(await exportsOf('../../src/entries/testing.ts')).toEqual([
      'defaultRunDir',
      'localStackStatus',
      'startLocalStack',
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

  it('opensky-stream: the primitives, without the internals of their modules', async () => {
    const names = await exportsOf('../../src/index.ts');
    for (const primitive of [
      'OpenSkySource',
      'ReadsbSource',
      'AdsbApiSource',
      'FailoverSource',
      'StandbySource',
      'countryOfIcao24',
      'KafkaSink',
      'LambdaInvoker',
      'transformStateVector',
      'SnsPublisher',
      'createPipeline',
      'createFlightHandler',
      'deployPipelineResources',
    ]) {
      expect(names).toContain(primitive);
    }
    for (const internal of [
      'packBatches',
      'entrySize',
      'toFifoId',
      'classifyError',
      'splitBatches',
      'chunkMessages',
      'snapshotMessages',
      'resolveSnsPublisherOptions',
      'stackUp',
      'startSpan',
      'loadTracing',
      'startLocalStack',
    ]) {
      expect(names).not.toContain(internal);
    }
    expect(names).toHaveLength(99);
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
