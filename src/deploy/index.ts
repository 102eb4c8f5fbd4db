export {
  bundleLambdaSource,
  LAMBDA_ENTRY,
  LAMBDA_HANDLER,
  lambdaPackage,
  writeLambdaBundle,
} from './bundle.ts';
export { type CodePackage, codePackage } from './code.ts';
export {
  type DeployOptions,
  type DeployResult,
  deployPipelineResources,
  functionPolicy,
  LAMBDA_TRUST_POLICY,
  mergeFunctionPolicy,
  type PolicyDocument,
  type PolicyStatement,
} from './deploy.ts';
export { type DestroyOptions, type DestroyResult, destroyPipelineResources } from './destroy.ts';
export {
  changedSettings,
  defaultKafkaTriggerOptions,
  ensureKafkaEventSourceMapping,
  isSameKafkaTrigger,
  type KafkaTriggerOptions,
  type KafkaTriggerResult,
} from './event-source-mapping.ts';
export { CODE_TAG, CodeOrigin } from './function.ts';
export { type InvokeOutcome, invokeFunction } from './invoke.ts';
export type { RoleRelease } from './role.ts';
export { type SampleEventOptions, sampleKafkaEvent } from './sample-event.ts';
export { codeSha256, type PackageFiles, zipPackage } from './zip.ts';
