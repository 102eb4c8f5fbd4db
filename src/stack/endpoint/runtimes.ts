/**
 * Which Lambda runtimes the local AWS endpoint runs, and how: the check the
 * router makes before CreateFunction / UpdateFunctionConfiguration reach moto
 * (a runtime it cannot run is refused there, as AWS refuses one it no longer
 * supports, instead of being accepted and failing at every Invoke), and the
 * command RIE starts for a function's runtime.
 *
 * - `nodejsN.x`: a Node.js Runtime API client (aws-lambda-ric, or the built-in
 *   one) on the Node.js that runs the stack, whatever N is.
 * - `python3.N`: AWS's Python Runtime Interface Client (`awslambdaric`, PyPI)
 *   with boto3, in a virtual environment made with a Python 3.N interpreter
 *   found on the machine (python-runtime.ts installs it). Only that exact
 *   version runs the runtime: code for 3.N may use syntax older versions lack.
 *
 * Pure functions and constants: the router, the stack's install step and the
 * unit tests share them.
 */

/**
 * The Python runtimes Lambda lists (lambda-python.html) that awslambdaric
 * supports (it requires Python 3.10 or newer): each runs when an interpreter
 * of its version is found.
 */
export const PYTHON_RUNTIMES = [
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
] as const;

/**
 * Runtimes Lambda no longer accepts in CreateFunction or UpdateFunctionConfiguration (their
 * deprecation reached the "block function update" phase; runtime-support-policy.html): refused
 * with AWS's own message.
 */
export const BLOCKED_RUNTIMES: ReadonlySet<string> = new Set([
  'nodejs',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'python2.7',
  'python3.6',
  'python3.7',
  'python3.8',
  'java8',
  'dotnetcore1.0',
  'dotnetcore2.0',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'dotnet6',
  'go1.x',
  'ruby2.5',
  'ruby2.7',
  'provided',
]);

/** A Python runtime the stack installed: its virtual environment and the interpreter it was made with. */
export interface PythonRuntime {
  /** The virtual environment's folder (awslambdaric and boto3 in its site-packages). */
  dir: string;
  /** The venv's `bin/python`. */
  python: string;
  /** The full version of the interpreter, e.g. `3.12.1`. */
  version: string;
}

/** The installed Python runtimes, by runtime identifier (`python3.12`). */
export type PythonRuntimes = Record<string, PythonRuntime>;

/** `python3.12` → `3.12`; undefined for anything else. */
export function pythonVersionOf(runtime: string): string | undefined {
  return /^python(3\.\d+)$/.exec(runtime)?.[1];
}

const isNodeRuntime = (runtime: string) => /^nodejs\d+\.x$/.test(runtime) && !BLOCKED_RUNTIMES.has(runtime);

/** The runtimes the stack runs, for messages and the health endpoint. */
export function runnableRuntimes(python: PythonRuntimes): string[] {
  return ['nodejs*.x', ...PYTHON_RUNTIMES.filter((runtime) => python[runtime])];
}

/**
 * Why the endpoint refuses `runtime` (the text of a 400 InvalidParameterValueException), or
 * undefined when it runs it. Deprecated runtimes get AWS's own message.
 */
export function runtimeRefusal(runtime: string, python: PythonRuntimes): string | undefined {
  if (isNodeRuntime(runtime) || python[runtime]) return undefined;
  if (BLOCKED_RUNTIMES.has(runtime)) {
    return (
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. ` +
      'We recommend you use a supported runtime while creating or updating functions.'
    );
  }
  const runs = `It runs ${runnableRuntimes(python).join(', ')}.`;
  const version = pythonVersionOf(runtime);
  if (version && (PYTHON_RUNTIMES as readonly string[]).includes(runtime)) {
    const variable = `OPENSKY_STREAM_PYTHON_${version.replace('.', '_')}`;
    return (
      `The runtime parameter of ${runtime} is not supported by this local stack: no Python ${version} ` +
      `interpreter was found when it was installed (put python${version} on the PATH or set ${variable}, ` +
      `then restart the stack). ${runs}`
    );
  }
  return `The runtime parameter of ${runtime} is not supported by this local stack. ${runs}`;
}

/**
 * The refusal for a CreateFunction or UpdateFunctionConfiguration request body, if its
 * `Runtime` is one the endpoint cannot run. A body that is not JSON, or names no runtime
 * (an image function, a configuration change that keeps the runtime), is left to moto.
 */
export function requestRefusal(body: Uint8Array, python: PythonRuntimes): string | undefined {
  let runtime: unknown;
  try {
    runtime = (JSON.parse(Buffer.from(body).toString('utf8')) as { Runtime?: unknown } | null)?.Runtime;
  } catch {
    return undefined;
  }
  return typeof runtime === 'string' ? runtimeRefusal(runtime, python) : undefined;
}

/** The router's `ROUTER_PYTHON_RUNTIMES` (JSON written by src/stack/endpoint.ts); empty when unset. */
export function parsePythonRuntimes(json: string | undefined): PythonRuntimes {
  if (!json) return {};
  const parsed = JSON.parse(json) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('ROUTER_PYTHON_RUNTIMES must be a JSON object of runtime → { dir, python, version }');
  }
  return parsed as PythonRuntimes;
}

/** What a function needs to start: its runtime, handler, memory and code folder. */
export interface LaunchTarget {
  runtime: string;
  handler: string;
  memorySize: number;
  codeDir: string;
}

/** How the Node.js runtime client is started. */
export interface NodeLauncher {
  /** The Node binary (the stack's own). */
  execPath: string;
  /** The runtime client's entry (aws-lambda-ric's index.mjs, or the built-in runtime.ts). */
  client: string;
}

/** The bootstrap RIE runs for a function, and the runtime's own environment variables. */
export interface Launch {
  /** The bootstrap and its arguments, after RIE's own flags. */
  argv: string[];
  /** Variables the runtime sets (the function's own variables still win). */
  env: Record<string, string>;
}

/**
 * The bootstrap of `target`'s runtime. Throws when the stack cannot run it (a function
 * recorded before its runtime's interpreter went away).
 *
 * Python: `python -m awslambdaric <handler>`, as AWS's Python base images start it, with
 * PYTHONPATH the code folder (Lambda searches `$LAMBDA_TASK_ROOT` first) and the venv's
 * `bin` first on PATH (a function's `python3` subprocess is the runtime's Python, as
 * `/var/lang/bin` is on AWS).
 */
export function launchCommand(
  target: LaunchTarget,
  node: NodeLauncher,
  python: PythonRuntimes,
  path = '',
): Launch {
  const installed = python[target.runtime];
  if (installed) {
    return {
      argv: [installed.python, '-m', 'awslambdaric', target.handler],
      env: {
        PATH: path ? `${installed.dir}/bin:${path}` : `${installed.dir}/bin`,
        PYTHONPATH: target.codeDir,
        LAMBDA_RUNTIME_DIR: installed.dir,
      },
    };
  }
  if (!isNodeRuntime(target.runtime)) {
    throw new Error(runtimeRefusal(target.runtime, python) ?? `runtime ${target.runtime} cannot run here`);
  }
  // The managed runtime's own flags (its /var/runtime/bootstrap): a tenth of the memory for V8's
  // young generation (half of it a semi-space), the rest for the old one; gc() exposed; 80 KiB headers.
  const newSpaceMiB = Math.floor(target.memorySize / 10);
  return {
    argv: [
      node.execPath,
      '--expose-gc',
      '--max-http-header-size=81920',
      `--max-semi-space-size=${Math.floor(newSpaceMiB / 2)}`,
      `--max-old-space-size=${target.memorySize - newSpaceMiB}`,
      node.client,
      target.handler,
    ],
    env: {},
  };
}
