export {
  pipelineReadiness,
  type ReadinessCheck,
  type ReadinessOptions,
  type ReadinessReport,
} from './readiness.ts';
export {
  type ObservedInvoker,
  type ObservedSink,
  type ObservedSource,
  PipelineMetrics,
  type PipelineMetricsOptions,
  PROMETHEUS_METRIC_PREFIX,
} from './registry.ts';
export {
  type ServedPipelineMetrics,
  type ServePipelineMetricsOptions,
  servePipelineMetrics,
} from './serve.ts';
export { type MetricsServer, type MetricsServerOptions, startMetricsServer } from './server.ts';
