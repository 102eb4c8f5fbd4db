/**
 * Options of the local AWS endpoint (the router): where it listens, where moto
 * is, where it keeps its state, what runs a function, and Lambda's concurrency
 * limits. The launcher (src/stack/endpoint.ts) passes them as environment
 * variables, read by {@link routerOptionsFromEnv}.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_AWS_REGION } from '../../config/defaults.ts';
import { ConfigError } from '../../errors.ts';
import { definedValues, requireInteger } from '../../util/validate.ts';
import { type PythonRuntimes, parsePythonRuntimes } from './runtimes.ts';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Port of the endpoint. Env `ROUTER_PORT`. @default 4566 */
  port?: number;
  /** Address the endpoint listens on, and calls moto and the execution environments at. Env `ROUTER_HOST`. @default '127.0.0.1' */
  host?: string;
  /** moto's port (IAM, STS, CloudWatch, the Lambda control plane). Env `MOTO_PORT`. @default 4567 */
  motoPort?: number;
  /** Where the registry, the function logs and the event source mappings are kept. Env `ROUTER_RUN_DIR`. @default `<cwd>/.stack` */
  runDir?: string;
  /** Where function code is unpacked (see code-dir.ts). Env `ROUTER_CODE_DIR`. @default under the cache, keyed by `runDir` */
  codeDir?: string;
  /** AWS's Runtime Interface Emulator. Env `ROUTER_RIE_BIN`. @default 'aws-lambda-rie' (on the PATH) */
  rieBinary?: string;
  /** The Node.js runtime client's entry. Env `ROUTER_RUNTIME`. @default the built-in runtime.ts beside this file */
  runtimeEntry?: string;
  /** Which client {@link runtimeEntry} is, as `/_stack/health` reports it. Env `ROUTER_RUNTIME_CLIENT`. @default 'builtin' */
  runtimeClient?: string;
  /** The Python runtimes installed in the cache; other python3.N are refused. Env `ROUTER_PYTHON_RUNTIMES` (JSON). @default {} */
  pythonRuntimes?: PythonRuntimes;
  /** Execution environments per function version, as reserved concurrency. Env `LAMBDA_MAX_CONCURRENCY`. @default 2 */
  maxConcurrency?: number;
  /** Invocations waiting for an environment before Invoke answers 429. Env `LAMBDA_MAX_QUEUE`. @default 1000 */
  maxQueue?: number;
  /** How long an unused environment is kept warm, ms. Env `LAMBDA_IDLE_TIMEOUT_SECONDS` (seconds). @default 300000 */
  idleTimeoutMs?: number;
  /** Region of ARNs and of calls to moto. Env `AWS_REGION`. @default 'us-east-1' */
  region?: string;
  /** The account moto is started with (src/stack/aws.ts), fauxqs's fixed one. Env `MOTO_ACCOUNT_ID`. @default '000000000000' */
  accountId?: string;
  /** fauxqs's module entry; unset: SNS and SQS go to moto. Env `ROUTER_MESSAGING_ENTRY`. */
  messagingEntry?: string;
  /** The token moto's guard asks for (src/stack/aws.ts), sent with every call to moto. Env `ROUTER_MOTO_TOKEN`. */
  motoToken?: string;
}

/** The built-in Node.js runtime client, beside this file (src/stack/endpoint/runtime.ts). */
const builtinRuntimeEntry = join(dirname(fileURLToPath(import.meta.url)), 'runtime.ts');

/** Defaults of {@link RouterOptions} (`runDir` defaults to `<cwd>/.stack` when resolved). */
export const defaultRouterOptions = {
  port: 4566,
  host: '127.0.0.1',
  motoPort: 4567,
  rieBinary: 'aws-lambda-rie',
  runtimeEntry: builtinRuntimeEntry,
  runtimeClient: 'builtin',
  pythonRuntimes: {},
  maxConcurrency: 2,
  maxQueue: 1000,
  idleTimeoutMs: 300_000,
  region: DEFAULT_AWS_REGION,
  accountId: '000000000000',
} as const satisfies Partial<RouterOptions>;

/** Options after defaults. */
export type ResolvedRouterOptions = Required<
  Omit<RouterOptions, 'codeDir' | 'messagingEntry' | 'motoToken'>
> &
  Pick<RouterOptions, 'codeDir' | 'messagingEntry' | 'motoToken'>;

/** Overlay the defined values of `options` on the defaults and validate; throws {@link ConfigError}. */
export function resolveRouterOptions(options: RouterOptions = {}): ResolvedRouterOptions {
  const resolved: ResolvedRouterOptions = {
    ...defaultRouterOptions,
    runDir: join(process.cwd(), '.stack'),
    ...definedValues(options),
  };
  requireInteger(resolved.port, '/options/port', 1, { max: 65_535 });
  requireInteger(resolved.motoPort, '/options/motoPort', 1, { max: 65_535 });
  requireInteger(resolved.maxConcurrency, '/options/maxConcurrency', 1);
  requireInteger(resolved.maxQueue, '/options/maxQueue', 1);
  // Fractions are fine: LAMBDA_IDLE_TIMEOUT_SECONDS=0.5 keeps environments half a second.
  if (!Number.isFinite(resolved.idleTimeoutMs) || resolved.idleTimeoutMs <= 0)
    throw new ConfigError('/options/idleTimeoutMs', 'must be a number > 0 (ms)');
  for (const name of ['runDir', 'rieBinary', 'runtimeEntry', 'region', 'accountId'] as const) {
    if (typeof resolved[name] !== 'string' || resolved[name] === '')
      throw new ConfigError(`/options/${name}`, 'must be a non-empty string');
  }
  return resolved;
}

/** A positive number from variable `name`; `undefined` when unset, so the default applies. */
function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  // The variable's own name in the message: that is what the user set.
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

const floored = (value: number | undefined) => (value === undefined ? undefined : Math.floor(value));

/** {@link RouterOptions} from the router's environment (what src/stack/endpoint.ts sets), resolved. */
export function routerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedRouterOptions {
  const idleSeconds = positive(env, 'LAMBDA_IDLE_TIMEOUT_SECONDS');
  return resolveRouterOptions({
    port: positive(env, 'ROUTER_PORT'),
    host: env.ROUTER_HOST,
    motoPort: positive(env, 'MOTO_PORT'),
    runDir: env.ROUTER_RUN_DIR,
    codeDir: env.ROUTER_CODE_DIR || undefined,
    rieBinary: env.ROUTER_RIE_BIN,
    runtimeEntry: env.ROUTER_RUNTIME,
    runtimeClient: env.ROUTER_RUNTIME_CLIENT,
    pythonRuntimes: parsePythonRuntimes(env.ROUTER_PYTHON_RUNTIMES),
    maxConcurrency: floored(positive(env, 'LAMBDA_MAX_CONCURRENCY')),
    maxQueue: floored(positive(env, 'LAMBDA_MAX_QUEUE')),
    idleTimeoutMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
    region: env.AWS_REGION || undefined,
    accountId: env.MOTO_ACCOUNT_ID || undefined,
    messagingEntry: env.ROUTER_MESSAGING_ENTRY || undefined,
    motoToken: env.ROUTER_MOTO_TOKEN || undefined,
  });
}
