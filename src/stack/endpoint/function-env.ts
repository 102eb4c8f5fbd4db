/**
 * The process environment of a function, as Lambda sets it for the runtime
 * (the reserved variables), plus this endpoint as the SDK's endpoint.
 */
import { dirname } from 'node:path';
import type { FunctionDef } from './registry.ts';

/** What {@link functionEnvironment} takes from the endpoint. */
export interface FunctionEnvSettings {
  region: string;
  /** This endpoint, `http://host:port`: the functions' AWS_ENDPOINT_URL. */
  endpointUrl: string;
  /** The Node.js runtime client's entry (its folder is LAMBDA_RUNTIME_DIR). */
  runtimeEntry: string;
}

/**
 * The environment of `def`'s execution environment listening on `rapidPort`;
 * `runtimeEnvironment` is the runtime's own (Python: PYTHONPATH, LAMBDA_RUNTIME_DIR,
 * its bin first on PATH).
 */
export function functionEnvironment(
  def: FunctionDef,
  rapidPort: number,
  settings: FunctionEnvSettings,
  runtimeEnvironment: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: settings.region,
    AWS_DEFAULT_REGION: settings.region,
    // The stack's test credentials, never the launching shell's: a function (or a dependency it
    // pulls in) must not see real keys it could take elsewhere. No session token, as for test keys.
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: settings.endpointUrl,
    AWS_EXECUTION_ENV: `AWS_Lambda_${def.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: def.name,
    AWS_LAMBDA_FUNCTION_VERSION: def.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(def.timeout),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${def.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[${def.version}]${rapidPort}`,
    LAMBDA_TASK_ROOT: def.codeDir,
    LAMBDA_RUNTIME_DIR: dirname(settings.runtimeEntry),
    _HANDLER: def.handler,
    ...runtimeEnvironment,
    // The function's own variables win, as on AWS (including AWS_ENDPOINT_URL).
    ...def.environment,
  };
}
