/**
 * Idempotent deployment of the pipeline's AWS resources, one function per
 * resource: the SNS topic ({@link ensureTopic}), the function's IAM role
 * (role.ts) and the Lambda function (function.ts). Running it again reports
 * `unchanged` or `updated`, never fails because something exists, and never
 * replaces code it did not build.
 *
 * @module
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { type Logger, silentLogger } from '../logger.ts';
import { lambdaPackage } from './bundle.ts';
import { assertReplaceable, CodeOrigin, currentFunction, ensureFunction } from './function.ts';
import { type DeployOptions, resolveDeployOptions } from './options.ts';
import { ensureRole } from './role.ts';

export type { DeployOptions } from './options.ts';
export {
  functionPolicy,
  LAMBDA_TRUST_POLICY,
  mergeFunctionPolicy,
  type PolicyDocument,
  type PolicyStatement,
} from './policy.ts';

/** What {@link deployPipelineResources} did. */
export interface DeployResult {
  topicArn: string;
  roleArn: string;
  functionArn: string;
  functionName: string;
  /** `created`, `updated` (code and/or configuration), or `unchanged`. */
  function: 'created' | 'updated' | 'unchanged';
  /** `reference` (the reference handler) or `custom` (your `zip`). */
  code: 'reference' | 'custom';
  handler: string;
  codeSha256: string;
  codeSize: number;
}

/** Create the SNS topic if missing (CreateTopic is idempotent); its ARN. */
export async function ensureTopic(
  sns: SNSClient,
  topicName: string,
  logger: Logger = silentLogger,
): Promise<string> {
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn!;
  logger.info('topic ready', { topicArn });
  return topicArn;
}

/**
 * Create or update the SNS topic, the role and the Lambda function of a
 * pipeline: the reference handler, or your code (`zip`). Safe to run any
 * number of times. A function whose code deploy did not build is left alone
 * with a `ConfigError` unless `force` (see function.ts).
 */
export async function deployPipelineResources(options: DeployOptions = {}): Promise<DeployResult> {
  const o = resolveDeployOptions(options);
  const logger = o.logger ?? silentLogger;
  const lambda = o.lambda ?? new LambdaClient({});
  const origin = o.zip ? CodeOrigin.CUSTOM : CodeOrigin.REFERENCE;
  const zip = o.zip ?? (await lambdaPackage());
  // First, so that a refused deploy creates and changes nothing.
  const current = await currentFunction(lambda, o.functionName);
  assertReplaceable(o.functionName, current, origin, o.force);

  const topicArn = await ensureTopic(o.sns ?? new SNSClient({}), o.topicName, logger);
  const roleArn = o.roleArn ?? (await ensureRole(o.iam ?? new IAMClient({}), topicArn));
  const environment = { SNS_TOPIC_ARN: topicArn, ...o.environment };
  const outcome = await ensureFunction(lambda, { ...o, zip }, { roleArn, environment }, origin, current);
  logger.info(`function ${outcome.function}`, {
    functionName: o.functionName,
    functionArn: outcome.functionArn,
    code: origin,
    codeSha256: outcome.codeSha256,
  });
  return {
    topicArn,
    roleArn,
    functionArn: outcome.functionArn,
    functionName: o.functionName,
    function: outcome.function,
    code: origin,
    handler: o.handler,
    codeSha256: outcome.codeSha256,
    codeSize: zip.length,
  };
}
