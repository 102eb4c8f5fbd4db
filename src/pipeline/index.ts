export {
  type BridgePipelineOptions,
  createPipeline,
  type InProcessPipelineOptions,
  type Pipeline,
  type PipelineEvents,
  type PipelineOptions,
  type PipelineParts,
  type PipelineStats,
  type ProducePipelineOptions,
  type SnapshotSource,
} from './create-pipeline.ts';
