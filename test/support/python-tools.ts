/**
 * Python clients this project did not write, for tests that hold the pipeline to what others
 * send and expect: kafka-python (a pure-Python Kafka client), confluent-kafka (librdkafka: it
 * sends what the Java client does, e.g. headers without a value, which kafka-python refuses),
 * boto3, the AWS CLI with awscli-local, and Powertools for AWS Lambda (Python). They live in a venv in the stack's cache
 * (`<cacheDir>/pytools-<version>`), installed from PyPI on first use and shared by every
 * checkout on the machine, like the stack's own moto venv (src/stack/aws.ts).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runStep, type StackConfig, stackConfig, withFileLock } from '../../src/stack/lib.ts';

/** The pinned packages. Changing one installs a new venv (its folder name changes). */
export const PYTHON_TOOLS = {
  'kafka-python': '3.0.12',
  'confluent-kafka': '2.16.1',
  boto3: '1.44.5',
  awscli: '1.46.2',
  'awscli-local': '0.23.0',
  // AWS's own readers of Lambda events and writers of partial-batch responses (with pydantic
  // for its parser models): what the bridge's events and answers are checked against.
  'aws-lambda-powertools': '3.37.0',
  pydantic: '2.14.3',
} as const;

/** Names the venv after its pins: a short hash of them. */
export const pythonToolsVersion = createHash('sha256')
  .update(JSON.stringify(PYTHON_TOOLS))
  .digest('hex')
  .slice(0, 10);

/** Where the venv lives for `cfg`. */
export const pythonToolsDir = (cfg: StackConfig = stackConfig()): string =>
  join(cfg.cacheDir, `pytools-${pythonToolsVersion}`);

/** The interpreter a venv is made with: env `OPENSKY_STREAM_PYTHON`, as for the stack's moto. */
const basePython = (): string => process.env.OPENSKY_STREAM_PYTHON || 'python3';

/** The installed venv. */
export interface PythonTools {
  /** The venv's folder. */
  dir: string;
  /** Its `python`. */
  python: string;
  /** A console script of the venv, e.g. `bin('awslocal')`. */
  bin(name: string): string;
  /** Run Python source (`python -c`), see {@link runPython}. */
  run(source: string, args?: readonly string[], options?: RunPythonOptions): Promise<string>;
}

/** Options of {@link runPython}. */
export interface RunPythonOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** @default 60000 */
  timeoutMs?: number;
}

let ready: Promise<PythonTools> | undefined;

/**
 * The venv, installed first when it is not complete (a `.complete` stamp marks one that is).
 * Concurrent installs wait on a lock file in the cache, so two test runs never pip into one folder.
 */
export function pythonTools(cfg: StackConfig = stackConfig()): Promise<PythonTools> {
  ready ??= install(cfg).catch((error: unknown) => {
    ready = undefined; // a later call tries again
    throw error;
  });
  return ready;
}

async function install(cfg: StackConfig): Promise<PythonTools> {
  const dir = pythonToolsDir(cfg);
  const stamp = join(dir, '.complete');
  if (!existsSync(stamp)) {
    await withFileLock(`${dir}.install.lock`, async () => {
      if (existsSync(stamp)) return; // another run installed it while this one waited
      await runStep(cfg, basePython(), ['-m', 'venv', '--clear', dir]);
      await runStep(cfg, join(dir, 'bin', 'pip'), [
        'install',
        '--quiet',
        '--disable-pip-version-check',
        ...Object.entries(PYTHON_TOOLS).map(([name, version]) => `${name}==${version}`),
      ]);
      writeFileSync(stamp, `${new Date().toISOString()}\n`);
    });
  }
  const python = join(dir, 'bin', 'python');
  return {
    dir,
    python,
    bin: (name) => join(dir, 'bin', name),
    run: (source, args, options) => runPython(python, source, args, options),
  };
}

/**
 * Run Python `source` with `args` (its `sys.argv[1:]`) and resolve with what it printed on stdout.
 * Rejects when it exits non-zero, with its stderr in the message.
 */
export async function runPython(
  python: string,
  source: string,
  args: readonly string[] = [],
  options: RunPythonOptions = {},
): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(python, ['-c', source, ...args], {
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr, code, signal } = error as { stderr?: string; code?: number; signal?: string };
    throw new Error(`python failed (${signal ?? `exit ${code}`}):\n${stderr ?? (error as Error).message}`);
  }
}
