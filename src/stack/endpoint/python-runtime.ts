/**
 * The Python runtimes of the local stack: for each Python runtime Lambda lists
 * (runtimes.ts), an interpreter of exactly that version found on this machine
 * and a virtual environment made with it in the cache, holding AWS's Python
 * Runtime Interface Client (`awslambdaric`, PyPI) and boto3, which AWS's
 * Python runtimes include. RIE starts `python -m awslambdaric <handler>` from
 * it (runtimes.ts, launchCommand).
 *
 * Installed by the lambda service's install step (src/stack/endpoint.ts), under
 * the stack's per-service install lock, once per interpreter version and pin
 * set (`python-runtime-<X.Y>-<hash>`, a `.complete` stamp). A version with no
 * interpreter, or whose install fails, is logged and left out: the endpoint
 * then refuses functions with that runtime at CreateFunction.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Log, runStep, type StackConfig } from '../lib.ts';
import { PYTHON_RUNTIMES, type PythonRuntime, type PythonRuntimes, pythonVersionOf } from './runtimes.ts';

/**
 * What each Python runtime's venv holds. boto3 and botocore are pinned together (the
 * runtime-included SDK, as in AWS's Python runtimes); changing a pin makes new venvs.
 */
export const PYTHON_RUNTIME_PACKAGES = {
  awslambdaric: '4.2.2',
  boto3: '1.44.5',
  botocore: '1.44.5',
} as const;

const pinsHash = createHash('sha256')
  .update(JSON.stringify(PYTHON_RUNTIME_PACKAGES))
  .digest('hex')
  .slice(0, 8);

/** The venv of Python `version` (`3.12`) in the cache. */
export const pythonRuntimeDir = (cfg: StackConfig, version: string): string =>
  join(cfg.cacheDir, `python-runtime-${version}-${pinsHash}`);

const stampOf = (dir: string) => join(dir, '.complete');

/** The variable that names the interpreter of Python `version`: `OPENSKY_STREAM_PYTHON_3_12`. */
export const interpreterVariable = (version: string): string =>
  `OPENSKY_STREAM_PYTHON_${version.replace('.', '_')}`;

/** Numeric order of `3.12.1`-like versions, newest first. */
const newestFirst = (a: string, b: string) => {
  const [pa, pb] = [a, b].map((v) => v.split('.').map((part) => Number.parseInt(part, 10) || 0));
  for (let i = 0; i < Math.max(pa!.length, pb!.length); i++) {
    const diff = (pb![i] ?? 0) - (pa![i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
};

/** Sub-folders of `dir` whose names match `pattern` (group 1: the version), newest first. */
function versionFolders(dir: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, version: pattern.exec(name)?.[1] }))
    .filter((entry): entry is { name: string; version: string } => entry.version !== undefined)
    .sort((a, b) => newestFirst(a.version, b.version))
    .map((entry) => entry.name);
}

/**
 * Where to look for a Python `version` interpreter, in order: `OPENSKY_STREAM_PYTHON_X_Y`
 * (only that, when set), `pythonX.Y` on the PATH, then the builds pyenv and uv keep in
 * their own folders (newest patch release first; free-threaded builds left out).
 */
export function interpreterCandidates(version: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env[interpreterVariable(version)];
  if (explicit) return [explicit];
  const escaped = version.replace('.', '\\.');
  const pyenv = join(env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions');
  const uv =
    env.UV_PYTHON_INSTALL_DIR ||
    join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'uv', 'python');
  return [
    `python${version}`,
    ...versionFolders(pyenv, new RegExp(`^(${escaped}\\.\\d+)$`)).map((name) =>
      join(pyenv, name, 'bin', `python${version}`),
    ),
    ...versionFolders(uv, new RegExp(`^cpython-(${escaped}\\.\\d+)-[^+]*$`)).map((name) =>
      join(uv, name, 'bin', `python${version}`),
    ),
  ];
}

/** An interpreter that runs: its real path and full version. */
interface Interpreter {
  executable: string;
  version: string;
}

/**
 * The first candidate that starts, is Python `version` and can make a venv (Debian splits
 * `venv`/`ensurepip` out of its python3.X packages). A pyenv shim of a version that is not
 * selected exits non-zero and is skipped.
 */
export async function findInterpreter(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Interpreter | undefined> {
  const probe =
    'import sys, venv, ensurepip; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])';
  for (const candidate of interpreterCandidates(version, env)) {
    try {
      const { stdout } = await promisify(execFile)(candidate, ['-c', probe], { timeout: 15_000, env });
      const [executable = '', full = ''] = stdout.trim().split('\n');
      if (full.startsWith(`${version}.`)) return { executable, version: full };
    } catch {
      // not there, not runnable, or without venv: try the next one
    }
  }
  return undefined;
}

/** A complete runtime venv's record, or undefined when it is not installed or its Python is gone. */
function installed(dir: string): PythonRuntime | undefined {
  const python = join(dir, 'bin', 'python');
  // existsSync follows the venv's symlink to the interpreter it was made with.
  if (!existsSync(stampOf(dir)) || !existsSync(python)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(stampOf(dir), 'utf8')) as { version?: string };
    return { dir, python, version: stamp.version ?? '' };
  } catch {
    return undefined;
  }
}

/** The Python runtimes installed in the cache: what the router is told it can run. */
export function installedPythonRuntimes(cfg: StackConfig): PythonRuntimes {
  const runtimes: PythonRuntimes = {};
  for (const runtime of PYTHON_RUNTIMES) {
    const found = installed(pythonRuntimeDir(cfg, pythonVersionOf(runtime)!));
    if (found) runtimes[runtime] = found;
  }
  return runtimes;
}

async function installOne(cfg: StackConfig, runtime: string, log: Log): Promise<void> {
  const version = pythonVersionOf(runtime)!;
  const dir = pythonRuntimeDir(cfg, version);
  if (installed(dir)) return;
  const interpreter = await findInterpreter(version);
  if (!interpreter) {
    log(
      `lambda: ${runtime}: no Python ${version} interpreter found (python${version} on the PATH, pyenv, uv, ` +
        `or ${interpreterVariable(version)}); functions with this runtime are refused`,
    );
    return;
  }
  const started = performance.now();
  const pins = Object.entries(PYTHON_RUNTIME_PACKAGES).map(([name, pin]) => `${name}==${pin}`);
  log(
    `lambda: ${runtime}: installing ${pins.join(' ')} from PyPI for Python ${interpreter.version} into ${dir}`,
  );
  await runStep(cfg, interpreter.executable, ['-m', 'venv', '--clear', dir]);
  const python = join(dir, 'bin', 'python');
  await runStep(cfg, python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--retries',
    '2',
    ...pins,
  ]);
  // The runtime client's native part must load in this interpreter.
  await runStep(cfg, python, ['-c', 'import awslambdaric.bootstrap, boto3']);
  writeFileSync(
    stampOf(dir),
    `${JSON.stringify({ interpreter: interpreter.executable, version: interpreter.version, installedAt: new Date().toISOString() })}\n`,
  );
  log(`lambda: ${runtime} ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
}

/**
 * Install every Python runtime this machine has an interpreter for. Never throws: a runtime
 * that cannot be installed is logged (install.log has the details) and refused later.
 */
export async function installPythonRuntimes(cfg: StackConfig, log: Log): Promise<void> {
  for (const runtime of PYTHON_RUNTIMES) {
    try {
      await installOne(cfg, runtime, log);
    } catch (error) {
      log(
        `lambda: ${runtime} could not be installed (${(error instanceof Error ? error.message : String(error)).split('\n')[0]}); ` +
          'functions with this runtime are refused. See the install log.',
      );
    }
  }
}
