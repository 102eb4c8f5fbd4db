/**
 * Idempotent deployment of the pipeline's AWS resources: the SNS topic, the
 * function's IAM role, and the Lambda function. Running it again reports
 * `unchanged` or `updated`, never fails because something exists.
 *
 * @module
 */
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { LambdaInvokeError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { sleep } from '../util/retry.ts';
import { LAMBDA_HANDLER, lambdaPackage } from './bundle.ts';
import { codeSha256 } from './zip.ts';

/** The trust policy that lets Lambda assume the function's role. */
export const LAMBDA_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
} as const;

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, unknown>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/**
 * The permissions the processing function needs: publish to its topic(s), its
 * metric, its logs. One `sns:Publish` statement per topic.
 */
export function functionPolicy(topicArns: string | readonly string[]): PolicyDocument {
  const topics = [...new Set([topicArns].flat())].sort();
  return {
    Version: '2012-10-17',
    Statement: [
      ...topics.map((topicArn) => ({ Effect: 'Allow', Action: ['sns:Publish'], Resource: topicArn })),
      // The published-notifications metric (`opensky-stream count`); scoped to its namespace.
      {
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenSkyStream' } },
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'arn:aws:logs:*:*:*',
      },
    ],
  };
}

function readPolicy(document: string | undefined): PolicyDocument | undefined {
  if (!document) return undefined;
  // IAM returns the document URL-encoded (RFC 3986); accept plain JSON too.
  for (const text of [document, () => decodeURIComponent(document)]) {
    try {
      const parsed = JSON.parse(typeof text === 'function' ? text() : text) as Partial<PolicyDocument>;
      if (Array.isArray(parsed.Statement)) return parsed as PolicyDocument;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

const publishesToSns = (statement: PolicyStatement) =>
  statement.Effect === 'Allow' && [statement.Action].flat().includes('sns:Publish');

/**
 * The function policy for `topicArn` merged into the role's current one
 * (`existing`, as IAM returns it): every topic the role could publish to
 * keeps its statement, so pipelines with other topics sharing the role keep
 * working. Other statements found in the policy are kept; an unreadable one
 * is replaced.
 */
export function mergeFunctionPolicy(existing: string | undefined, topicArn: string): PolicyDocument {
  const current = readPolicy(existing);
  const topics = new Set([topicArn]);
  const kept: PolicyStatement[] = [];
  const wanted = functionPolicy(topicArn);
  const ours = new Set(wanted.Statement.map((statement) => JSON.stringify(statement)));
  for (const statement of current?.Statement ?? []) {
    if (publishesToSns(statement) && [statement.Action].flat().length === 1 && !statement.Condition) {
      for (const resource of [statement.Resource].flat()) topics.add(resource);
    } else if (!ours.has(JSON.stringify(statement))) {
      kept.push(statement);
    }
  }
  const merged = functionPolicy([...topics]);
  return { ...merged, Statement: [...merged.Statement, ...kept] };
}

/** Options of {@link deployPipelineResources}. */
export interface DeployOptions {
  /** @default 'opensky-stream-processor' */
  functionName?: string;
  /** @default 'FlightNotifications' */
  topicName?: string;
  /** An existing execution role; when absent the role `opensky-stream-lambda` is created or reused. */
  roleArn?: string;
  /** @default 'nodejs22.x' */
  runtime?: string;
  /** Seconds. @default 30 */
  timeout?: number;
  /** MB. @default 256 */
  memorySize?: number;
  /** Extra environment variables of the function (SNS_TOPIC_ARN is set for you). */
  environment?: Record<string, string>;
  /** The deployment package; defaults to the reference handler's bundle. */
  zip?: Uint8Array;
  /** Clients; default ones are built from the environment (AWS_REGION, AWS_ENDPOINT_URL, …). */
  lambda?: LambdaClient;
  sns?: SNSClient;
  iam?: IAMClient;
  logger?: Logger;
}

/** What {@link deployPipelineResources} did. */
export interface DeployResult {
  topicArn: string;
  roleArn: string;
  functionArn: string;
  functionName: string;
  /** `created`, `updated` (code and/or configuration), or `unchanged`. */
  function: 'created' | 'updated' | 'unchanged';
  codeSha256: string;
  codeSize: number;
}

const ROLE_NAME = 'opensky-stream-lambda';
const POLICY_NAME = 'opensky-stream-publish';

const isNoSuchEntity = (error: unknown) =>
  ['NoSuchEntityException', 'NoSuchEntity'].includes((error as { name?: string }).name ?? '');

async function ensureRole(iam: IAMClient, topicArn: string): Promise<string> {
  let arn: string;
  try {
    arn = (await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role!.Arn!;
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
    arn = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: ROLE_NAME,
          AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
          Description: 'opensky-stream processing function',
        }),
      )
    ).Role!.Arn!;
  }
  // Other pipelines (other topics) share this role: add this topic to what it may publish to.
  let existing: string | undefined;
  try {
    existing = (await iam.send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: POLICY_NAME })))
      .PolicyDocument;
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: POLICY_NAME,
      PolicyDocument: JSON.stringify(mergeFunctionPolicy(existing, topicArn)),
    }),
  );
  return arn;
}

async function waitUntilUpdated(lambda: LambdaClient, name: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (config.State !== 'Pending' && config.LastUpdateStatus !== 'InProgress') {
      if (config.LastUpdateStatus === 'Failed') {
        throw new LambdaInvokeError(`update of ${name} failed: ${config.LastUpdateStatusReason}`, undefined);
      }
      return;
    }
    await sleep(1000);
  }
  throw new LambdaInvokeError(`${name} did not finish updating within 2 minutes`, undefined);
}

function configDiffers(
  current: FunctionConfiguration,
  wanted: Required<Pick<DeployOptions, 'runtime' | 'timeout' | 'memorySize'>> & {
    environment: Record<string, string>;
    roleArn: string;
  },
): boolean {
  const env = current.Environment?.Variables ?? {};
  const sameEnv =
    Object.keys(env).length === Object.keys(wanted.environment).length &&
    Object.entries(wanted.environment).every(([key, value]) => env[key] === value);
  return (
    current.Handler !== LAMBDA_HANDLER ||
    current.Runtime !== wanted.runtime ||
    current.Timeout !== wanted.timeout ||
    current.MemorySize !== wanted.memorySize ||
    current.Role !== wanted.roleArn ||
    !sameEnv
  );
}

/**
 * Create or update the SNS topic, the role and the Lambda function of the
 * reference pipeline. Safe to run any number of times.
 */
export async function deployPipelineResources(options: DeployOptions = {}): Promise<DeployResult> {
  const logger = options.logger ?? silentLogger;
  const lambda = options.lambda ?? new LambdaClient({});
  const sns = options.sns ?? new SNSClient({});
  const functionName = options.functionName ?? 'opensky-stream-processor';
  const topicName = options.topicName ?? 'FlightNotifications';

  const topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn!;
  logger.info('topic ready', { topicArn });
  const roleArn = options.roleArn ?? (await ensureRole(options.iam ?? new IAMClient({}), topicArn));
  const zip = options.zip ?? (await lambdaPackage());
  const sha = codeSha256(zip);
  const wanted = {
    runtime: options.runtime ?? 'nodejs22.x',
    timeout: options.timeout ?? 30,
    memorySize: options.memorySize ?? 256,
    environment: { SNS_TOPIC_ARN: topicArn, ...options.environment },
    roleArn,
  };

  let current: FunctionConfiguration | undefined;
  try {
    current = (await lambda.send(new GetFunctionCommand({ FunctionName: functionName }))).Configuration;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }

  let outcome: DeployResult['function'] = 'unchanged';
  let functionArn = current?.FunctionArn ?? '';
  if (!current) {
    // A new role can take seconds to become assumable on AWS: retry that one error.
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await lambda.send(
          new CreateFunctionCommand({
            FunctionName: functionName,
            Runtime: wanted.runtime as FunctionConfiguration['Runtime'],
            Role: roleArn,
            Handler: LAMBDA_HANDLER,
            Code: { ZipFile: zip },
            Timeout: wanted.timeout,
            MemorySize: wanted.memorySize,
            Environment: { Variables: wanted.environment },
            Description: 'opensky-stream: Kafka state vectors → transformStateVector → SNS',
          }),
        );
        functionArn = created.FunctionArn!;
        break;
      } catch (error) {
        const message = (error as Error).message ?? '';
        if (attempt >= 10 || !/cannot be assumed|role/i.test(message)) throw error;
        await sleep(2000);
      }
    }
    outcome = 'created';
  } else {
    if (current.CodeSha256 !== sha) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip }));
      await waitUntilUpdated(lambda, functionName);
      outcome = 'updated';
    }
    if (configDiffers(current, wanted)) {
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: functionName,
          Runtime: wanted.runtime as FunctionConfiguration['Runtime'],
          Role: roleArn,
          Handler: LAMBDA_HANDLER,
          Timeout: wanted.timeout,
          MemorySize: wanted.memorySize,
          Environment: { Variables: wanted.environment },
        }),
      );
      outcome = 'updated';
    }
  }
  await waitUntilUpdated(lambda, functionName);
  logger.info(`function ${outcome}`, { functionName, functionArn, codeSha256: sha });
  return {
    topicArn,
    roleArn,
    functionArn,
    functionName,
    function: outcome,
    codeSha256: sha,
    codeSize: zip.length,
  };
}
