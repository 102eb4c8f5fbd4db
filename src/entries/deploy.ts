/**
 * `opensky-stream/deploy`: the pipeline's AWS resources from code — the SNS
 * topic, the function (with its role) and its Kafka trigger, created or
 * updated idempotently and removed again — and the deployment package they
 * take. What `opensky-stream deploy` and `destroy` run.
 *
 * ```ts
 * import { deployPipelineResources } from 'opensky-stream/deploy';
 * const result = await deployPipelineResources({ clients: { iam, lambda, sns } });
 * ```
 *
 * @module
 */
export { LAMBDA_HANDLER, lambdaPackage } from '../deploy/bundle.ts';
export {
  type DeployOptions,
  type DeployResult,
  deployPipelineResources,
  functionPolicy,
  LAMBDA_TRUST_POLICY,
  mergeFunctionPolicy,
  type PolicyDocument,
  type PolicyStatement,
} from '../deploy/deploy.ts';
export { type DestroyOptions, type DestroyResult, destroyPipelineResources } from '../deploy/destroy.ts';
export {
  ensureKafkaEventSourceMapping,
  type KafkaTriggerOptions,
  type KafkaTriggerResult,
} from '../deploy/event-source-mapping.ts';
export type { RoleRelease } from '../deploy/role.ts';
export { type PackageFiles, zipPackage } from '../deploy/zip.ts';
