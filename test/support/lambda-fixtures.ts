/**
 * Test fixtures for Lambda on the local stack: bundle a handler's source with
 * esbuild (its imports, e.g. the AWS SDK, resolved from this repository's
 * node_modules), zip it with fflate, and deploy it through the real control
 * plane (IAM CreateRole, Lambda CreateFunction) at the stack's AWS endpoint.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { bundleLambdaSource, LAMBDA_ENTRY, type PackageFiles, zipPackage } from '../../src/deploy/index.ts';
import { packageRoot } from '../../src/util/package-root.ts';
import { awsClientConfig } from './env.ts';

/** A LambdaClient for the local stack's AWS endpoint. */
export const lambdaClient = (): LambdaClient => new LambdaClient(awsClientConfig());

/** How a test function's code is bundled and laid out in its zip. */
export interface BundleOptions {
  /**
   * `esm`: the product's bundler (one ES module); `cjs`: one CommonJS file, as
   * esbuild and SAM usually build Node functions. @default 'esm'
   */
  format?: 'esm' | 'cjs';
  /** The bundle's path in the zip. @default 'index.mjs' (esm), 'index.js' (cjs) */
  entry?: string;
  /** More files in the zip, by path (e.g. a package.json). */
  files?: Record<string, string>;
  /**
   * Imports left out of the bundle: packages the code imports only on paths it does not take
   * (Powertools' Kafka utility loads avro-js and protobufjs for those schema types only).
   */
  external?: string[];
}

/** The bundle's path in the zip for `options`. */
const entryOf = (options: BundleOptions = {}) =>
  options.entry ?? ((options.format ?? 'esm') === 'cjs' ? 'index.js' : LAMBDA_ENTRY);

/** The Handler setting that runs the bundle's `handler` export: `src/app.js` → `src/app.handler`. */
export const handlerOf = (options: BundleOptions = {}): string =>
  `${entryOf(options).replace(/\.[cm]?js$/, '')}.handler`;

/**
 * The package's files for `entry` and its imports, bundled with esbuild (resolved from the
 * entry's folder, then this repository's node_modules): for what the product's bundler does
 * not do (CommonJS, externals). An ES module is split at its dynamic imports (chunks beside
 * the entry, as `.mjs`), so an external imported only on a path the code does not take is
 * loaded only if it does; CommonJS requires it only then anyway.
 */
async function bundleWithEsbuild(entry: string, options: BundleOptions): Promise<PackageFiles> {
  const esbuild = await import('esbuild');
  const esm = (options.format ?? 'esm') === 'esm';
  const outdir = join(dirname(entry), 'out');
  const result = await esbuild.build({
    entryPoints: { entry },
    bundle: true,
    platform: 'node',
    format: esm ? 'esm' : 'cjs',
    target: 'node22',
    write: false,
    outdir,
    logLevel: 'silent',
    external: options.external ?? [],
    nodePaths: [join(packageRoot(), 'node_modules')],
    ...(esm
      ? {
          splitting: true,
          outExtension: { '.js': '.mjs' },
          // As in the product's bundle: CommonJS dependencies inside an ES module need a require().
          banner: {
            js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
          },
        }
      : {}),
  });
  const target = entryOf(options);
  const files: PackageFiles = {};
  for (const file of result.outputFiles) {
    const name = relative(outdir, file.path);
    files[name.startsWith('entry.') ? target : posix.join(posix.dirname(target), name)] = file.contents;
  }
  return files;
}

/**
 * Bundle `source` (TypeScript or JavaScript, an ES module exporting `handler`)
 * into a zip, by default as `index.mjs` for handler `index.handler` with the
 * same bundler and zip as the product's deploy; see {@link BundleOptions} for
 * CommonJS and other layouts.
 */
export async function bundleHandler(source: string, options: BundleOptions = {}): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'oss-handler-'));
  try {
    const entry = join(dir, 'handler.ts');
    writeFileSync(entry, source);
    const productBundler = (options.format ?? 'esm') === 'esm' && !options.external?.length;
    const code = productBundler
      ? { [entryOf(options)]: await bundleLambdaSource(entry) }
      : await bundleWithEsbuild(entry, options);
    return zipPackage({ ...options.files, ...code });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ROLE_NAME = 'opensky-stream-test-lambda-role';

/** The ARN of an IAM role Lambda may assume (created on first use). */
export async function lambdaRoleArn(): Promise<string> {
  const iam = new IAMClient(awsClientConfig());
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role!.Arn!;
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
  }
  const created = await iam.send(
    new CreateRoleCommand({
      RoleName: ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  return created.Role!.Arn!;
}

/** Settings of a test function. */
export interface TestFunctionOptions {
  /** Environment.Variables. */
  env?: Record<string, string>;
  /** Seconds. @default 10 */
  timeout?: number;
  /** MiB. @default 256 */
  memorySize?: number;
  /** @default 'nodejs22.x' */
  runtime?: 'nodejs22.x' | 'nodejs24.x';
  /** Another AWS endpoint than the stack's (e.g. one of the test's own). */
  endpoint?: string;
  /** Bundle format and zip layout (also for {@link TestFunction.updateCode}). @default ESM as `index.mjs` */
  bundle?: BundleOptions;
  /** The Handler setting. @default the bundle's `handler` export ({@link handlerOf}) */
  handler?: string;
}

/** A function deployed by {@link deployTestFunction}. */
export interface TestFunction {
  name: string;
  arn: string;
  /** Replace its code with `source`, bundled again. */
  updateCode(source: string): Promise<void>;
  /** Replace its environment variables. */
  updateEnv(env: Record<string, string>): Promise<void>;
  /** RequestResponse Invoke with a JSON payload; `Payload` is returned parsed as `result`. */
  invoke(payload?: unknown, options?: { tail?: boolean }): Promise<InvokeResult>;
  /** DeleteFunction (ignores an already deleted one). */
  dispose(): Promise<void>;
}

/** An Invoke answer with its payload parsed. */
export interface InvokeResult {
  output: InvokeCommandOutput;
  result: unknown;
  /** The decoded `LogResult` when the tail was asked for. */
  log?: string;
}

/** Create function `name` running the bundled `source` (by default handler `index.handler` in `index.mjs`). */
export async function deployTestFunction(
  name: string,
  source: string,
  options: TestFunctionOptions = {},
): Promise<TestFunction> {
  const client = options.endpoint
    ? new LambdaClient({ ...awsClientConfig(), endpoint: options.endpoint })
    : lambdaClient();
  const created = await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: options.runtime ?? 'nodejs22.x',
      Role: await lambdaRoleArn(),
      Handler: options.handler ?? handlerOf(options.bundle),
      Code: { ZipFile: await bundleHandler(source, options.bundle) },
      Timeout: options.timeout ?? 10,
      MemorySize: options.memorySize ?? 256,
      Environment: { Variables: options.env ?? {} },
    }),
  );
  return {
    name,
    arn: created.FunctionArn!,
    async updateCode(next) {
      await client.send(
        new UpdateFunctionCodeCommand({
          FunctionName: name,
          ZipFile: await bundleHandler(next, options.bundle),
        }),
      );
    },
    async updateEnv(env) {
      await client.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: env } }),
      );
    },
    invoke: (payload, invokeOptions) => invokeJson(client, name, payload, invokeOptions),
    async dispose() {
      await client.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
    },
  };
}

/** RequestResponse Invoke of `functionName` with `payload` as JSON; parses the answer. */
export async function invokeJson(
  client: LambdaClient,
  functionName: string,
  payload: unknown = {},
  options: { tail?: boolean } = {},
): Promise<InvokeResult> {
  const output = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: JSON.stringify(payload),
      ...(options.tail ? { LogType: 'Tail' as const } : {}),
    }),
  );
  const text = Buffer.from(output.Payload ?? []).toString('utf8');
  return {
    output,
    result: text === '' ? undefined : JSON.parse(text),
    ...(output.LogResult ? { log: Buffer.from(output.LogResult, 'base64').toString('utf8') } : {}),
  };
}

/**
 * A handler that appends `partition/offset` of each record it gets to LOG_FILE, then takes
 * DELAY_MS: for tests that need an invocation in flight (a slow function, a broker killed mid-way).
 */
export const slowRecordingHandler = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const ids = Object.values(event.records).flat().map((r) => r.partition + '/' + r.offset);
  appendFileSync(process.env.LOG_FILE, ids.join('\\n') + '\\n');
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.DELAY_MS)));
  return { ok: true };
};`;
