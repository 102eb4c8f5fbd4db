/**
 * Test helpers: bundle a handler with esbuild, zip it, and deploy it to the
 * local stack's Lambda through the real control-plane API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { zipPackage } from '../../src/deploy/zip.ts';
import { awsClientConfig } from './env.ts';

export const lambdaClient = () => new LambdaClient(awsClientConfig());

/** Bundle TypeScript/JavaScript `source` (an ES module exporting `handler`) into a Lambda zip. */
export async function bundleHandler(source: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'oss-handler-'));
  try {
    const entry = join(dir, 'handler.ts');
    writeFileSync(entry, source);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      write: false,
      absWorkingDir: process.cwd(),
      nodePaths: [join(process.cwd(), 'node_modules')],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    return zipPackage({ 'index.mjs': result.outputFiles[0]!.contents });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function lambdaRoleArn(): Promise<string> {
  const iam = new IAMClient(awsClientConfig());
  const RoleName = 'opensky-stream-test-role';
  try {
    return (await iam.send(new GetRoleCommand({ RoleName }))).Role!.Arn!;
  } catch {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName,
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
}

/** Create (or replace the code of) function `name` running `source`. Returns a cleanup function. */
export async function deployTestFunction(
  name: string,
  source: string,
  options: { env?: Record<string, string>; timeout?: number } = {},
): Promise<() => Promise<void>> {
  const client = lambdaClient();
  const ZipFile = await bundleHandler(source);
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: await lambdaRoleArn(),
      Handler: 'index.handler',
      Code: { ZipFile },
      Timeout: options.timeout ?? 10,
      MemorySize: 256,
      Environment: { Variables: options.env ?? {} },
    }),
  );
  return async () => {
    await client.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
  };
}

export async function updateTestFunction(name: string, source: string): Promise<void> {
  await lambdaClient().send(
    new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await bundleHandler(source) }),
  );
}
