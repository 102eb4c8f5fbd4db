/**
 * Python Lambda functions for tests on the local stack: deployment packages (`.py` sources,
 * and Powertools for AWS Lambda (Python) laid out by `pip install --target`, as users package
 * it) and CreateFunction through the AWS SDK.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { CreateFunctionCommand, DeleteFunctionCommand, type Runtime } from '@aws-sdk/client-lambda';
import { type PackageFiles, zipPackage } from '../../src/deploy/index.ts';
import { withFileLock } from '../../src/stack/lib.ts';
import { uniqueName } from './env.ts';
import { lambdaClient, lambdaRoleArn } from './lambda-fixtures.ts';
import { PYTHON_TOOLS, type PythonTools } from './python-tools.ts';

/** Every file under `dir`, by its path relative to it (the zip's layout), without bytecode caches. */
function filesUnder(dir: string): PackageFiles {
  const files: PackageFiles = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || path.includes(`${sep}__pycache__${sep}`)) continue;
    files[relative(dir, path).split(sep).join('/')] = readFileSync(path);
  }
  return files;
}

/**
 * Powertools for AWS Lambda (Python), at the version the test venv pins, and its dependencies
 * as `pip install --target` lays them out for a deployment package (pure Python: the same files
 * serve every Python 3 runtime). Installed once, beside the test venv.
 */
export async function powertoolsPackage(tools: PythonTools): Promise<PackageFiles> {
  const version = PYTHON_TOOLS['aws-lambda-powertools'];
  const dir = join(tools.dir, `lambda-package-powertools-${version}`);
  const stamp = join(dir, '.complete');
  if (!existsSync(stamp)) {
    await withFileLock(`${dir}.lock`, async () => {
      if (existsSync(stamp)) return;
      rmSync(dir, { recursive: true, force: true });
      const pip = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', dir];
      await promisify(execFile)(tools.python, [...pip, `aws-lambda-powertools==${version}`], {
        timeout: 180_000,
      });
      writeFileSync(stamp, '');
    });
  }
  const files = filesUnder(dir);
  delete files['.complete'];
  return files;
}

/** A Python function deployed by {@link deployPythonFunction}. */
export interface PythonFunction {
  name: string;
  /** DeleteFunction (ignores an already deleted one). */
  dispose(): Promise<void>;
}

/**
 * CreateFunction of a `runtime` function made of `files` (handler
 * `event_processor.lambda_handler` unless told), 256 MB, 30 s, with `env`.
 */
export async function deployPythonFunction(
  runtime: string,
  files: PackageFiles,
  env: Record<string, string> = {},
  handler = 'event_processor.lambda_handler',
): Promise<PythonFunction> {
  const lambda = lambdaClient();
  const name = uniqueName('py-fn');
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime as Runtime,
      Role: await lambdaRoleArn(),
      Handler: handler,
      Code: { ZipFile: zipPackage(files) },
      Timeout: 30,
      MemorySize: 256,
      Environment: { Variables: env },
    }),
  );
  return {
    name,
    async dispose() {
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
    },
  };
}
