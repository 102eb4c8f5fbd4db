/**
 * The Lambda function of a pipeline: created, or updated only where it
 * differs, and never given code over code deploy did not build.
 *
 * Whose code a function runs is recorded in a tag, {@link CODE_TAG}:
 * `reference` for the reference handler's bundle, `custom` for a package the
 * user shipped with `deploy --code`. A tag rather than a CodeSha256
 * comparison, because the reference bundle changes with every release: an
 * upgrade must still update the reference function it deployed before.
 * Functions deployed before the tag existed are recognised by the reference
 * description. Without `force`, deploy replaces only `reference` code, and
 * user code only with user code (`custom`, shipped with `--code`).
 *
 * @module
 */
import {
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { ConfigError, LambdaInvokeError } from '../errors.ts';
import { sleep } from '../util/retry.ts';
import type { ResolvedDeployOptions } from './options.ts';
import { codeSha256 } from './zip.ts';

/** The tag that records whose code a function runs. */
export const CODE_TAG = 'opensky-stream:code';
/** Values of {@link CODE_TAG}. */
export const CodeOrigin = { REFERENCE: 'reference', CUSTOM: 'custom' } as const;
export type CodeOriginValue = (typeof CodeOrigin)[keyof typeof CodeOrigin];

/** The description of the reference function (also how pre-tag deployments are recognised). */
export const REFERENCE_DESCRIPTION = 'opensky-stream: Kafka state vectors → transformStateVector → SNS';
const CUSTOM_DESCRIPTION = 'opensky-stream pipeline function (your code, deployed with --code)';

/** What deploy knows of an existing function's code. */
export type ExistingCode = CodeOriginValue | 'foreign';

/** Whose code `tags` / `description` say a function runs: `foreign` when opensky-stream did not deploy it. */
export function existingCode(
  tags: Record<string, string> | undefined,
  description: string | undefined,
): ExistingCode {
  const tag = tags?.[CODE_TAG];
  if (tag === CodeOrigin.REFERENCE || tag === CodeOrigin.CUSTOM) return tag;
  return description === REFERENCE_DESCRIPTION ? CodeOrigin.REFERENCE : 'foreign';
}

/**
 * Why deploying `wanted` code over `existing` code is refused, or `undefined`
 * when it is allowed: the reference never replaces user code, and user code
 * never replaces a function opensky-stream did not deploy, unless forced.
 */
export function codeReplacementRefusal(
  name: string,
  existing: ExistingCode,
  wanted: CodeOriginValue,
  force: boolean,
): string | undefined {
  if (force || existing === CodeOrigin.REFERENCE) return undefined;
  if (existing === CodeOrigin.CUSTOM && wanted === CodeOrigin.CUSTOM) return undefined;
  const whose =
    existing === CodeOrigin.CUSTOM
      ? 'runs your code (deployed with --code)'
      : 'was not deployed by opensky-stream (no opensky-stream:code tag)';
  const instead =
    wanted === CodeOrigin.REFERENCE
      ? 'deploy without --code would replace it with the reference handler. Pass --code PATH to update your code'
      : 'deploy --code would replace its code. Check --function-name';
  return `'${name}' ${whose}; ${instead}, or --force to replace it anyway`;
}

/** What {@link ensureFunction} did. */
export interface FunctionOutcome {
  functionArn: string;
  /** `created`, `updated` (code and/or configuration), or `unchanged`. */
  function: 'created' | 'updated' | 'unchanged';
  codeSha256: string;
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

interface WantedConfig {
  roleArn: string;
  environment: Record<string, string>;
}

function configDiffers(
  current: FunctionConfiguration,
  o: ResolvedDeployOptions,
  wanted: WantedConfig,
): boolean {
  const env = current.Environment?.Variables ?? {};
  const sameEnv =
    Object.keys(env).length === Object.keys(wanted.environment).length &&
    Object.entries(wanted.environment).every(([key, value]) => env[key] === value);
  return (
    current.Handler !== o.handler ||
    current.Runtime !== o.runtime ||
    current.Timeout !== o.timeout ||
    current.MemorySize !== o.memorySize ||
    current.Role !== wanted.roleArn ||
    !sameEnv
  );
}

/** A function as GetFunction returns it, or `undefined` when there is none. */
export type CurrentFunction =
  | { Configuration?: FunctionConfiguration; Tags?: Record<string, string> }
  | undefined;

/** The function named `name` (configuration and tags), `undefined` when it does not exist. */
export async function currentFunction(lambda: LambdaClient, name: string): Promise<CurrentFunction> {
  try {
    return await lambda.send(new GetFunctionCommand({ FunctionName: name }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Throw a {@link ConfigError} (exit 2 in the CLI) when deploying `origin` code
 * over `current` would replace code deploy did not build (see
 * {@link codeReplacementRefusal}). Checked before anything is created, so a
 * refused deploy changes nothing. Refused even when the bytes match: the
 * configuration (handler, environment) would be replaced too.
 */
export function assertReplaceable(
  name: string,
  current: CurrentFunction,
  origin: CodeOriginValue,
  force: boolean,
): void {
  if (!current?.Configuration) return;
  const refusal = codeReplacementRefusal(
    name,
    existingCode(current.Tags, current.Configuration.Description),
    origin,
    force,
  );
  if (refusal) throw new ConfigError('/options/functionName', refusal);
}

/**
 * Create the function, or update its code and configuration where they
 * differ. `current` is what {@link currentFunction} found (and
 * {@link assertReplaceable} allowed).
 */
export async function ensureFunction(
  lambda: LambdaClient,
  o: ResolvedDeployOptions & { zip: Uint8Array },
  wanted: WantedConfig,
  origin: CodeOriginValue,
  current: CurrentFunction,
): Promise<FunctionOutcome> {
  const sha = codeSha256(o.zip);
  const name = o.functionName;
  const description = origin === CodeOrigin.REFERENCE ? REFERENCE_DESCRIPTION : CUSTOM_DESCRIPTION;
  const config = {
    Runtime: o.runtime as FunctionConfiguration['Runtime'],
    Role: wanted.roleArn,
    Handler: o.handler,
    Timeout: o.timeout,
    MemorySize: o.memorySize,
    Environment: { Variables: wanted.environment },
    Description: description,
  };

  if (!current?.Configuration) {
    // A new role can take seconds to become assumable on AWS: retry that one error.
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Code: { ZipFile: o.zip },
            Tags: { [CODE_TAG]: origin },
            ...config,
          }),
        );
        await waitUntilUpdated(lambda, name);
        return { functionArn: created.FunctionArn!, function: 'created', codeSha256: sha };
      } catch (error) {
        const message = (error as Error).message ?? '';
        if (attempt >= 10 || !/cannot be assumed|role/i.test(message)) throw error;
        await sleep(2000);
      }
    }
  }

  const existing = current.Configuration;
  let outcome: FunctionOutcome['function'] = 'unchanged';
  if (existing.CodeSha256 !== sha) {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: o.zip }));
    await waitUntilUpdated(lambda, name);
    outcome = 'updated';
  }
  if (configDiffers(existing, o, wanted) || existing.Description !== description) {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...config }));
    outcome = 'updated';
  }
  if (current.Tags?.[CODE_TAG] !== origin) {
    await lambda.send(
      new TagResourceCommand({ Resource: existing.FunctionArn!, Tags: { [CODE_TAG]: origin } }),
    );
  }
  await waitUntilUpdated(lambda, name);
  return { functionArn: existing.FunctionArn!, function: outcome, codeSha256: sha };
}
