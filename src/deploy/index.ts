export {
  bundleLambdaSource,
  LAMBDA_ENTRY,
  LAMBDA_HANDLER,
  lambdaPackage,
  packageRoot,
  writeLambdaBundle,
} from './bundle.ts';
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
export { codeSha256, type PackageFiles, zipPackage } from './zip.ts';
