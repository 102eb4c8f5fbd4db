import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findInterpreter,
  interpreterCandidates,
  interpreterVariable,
} from '../../src/stack/endpoint/python-runtime.ts';
import {
  launchCommand,
  type PythonRuntimes,
  parsePythonRuntimes,
  pythonVersionOf,
  requestRefusal,
  runnableRuntimes,
  runtimeRefusal,
} from '../../src/stack/endpoint/runtimes.ts';

const python: PythonRuntimes = {
  'python3.12': { dir: '/cache/py312', python: '/cache/py312/bin/python', version: '3.12.1' },
  'python3.13': { dir: '/cache/py313', python: '/cache/py313/bin/python', version: '3.13.0' },
};
const node = { execPath: '/usr/bin/node', client: '/cache/ric/index.mjs' };
const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('which runtimes the local stack runs', () => {
  it('runs every current nodejs runtime and the Python runtimes it installed', () => {
    for (const runtime of ['nodejs20.x', 'nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13']) {
      expect(runtimeRefusal(runtime, python), runtime).toBeUndefined();
    }
    expect(runnableRuntimes(python)).toEqual(['nodejs*.x', 'python3.12', 'python3.13']);
  });

  it("refuses runtimes AWS no longer accepts with AWS's own message", () => {
    for (const runtime of ['nodejs16.x', 'python3.8', 'go1.x', 'provided']) {
      expect(runtimeRefusal(runtime, python)).toBe(
        `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. ` +
          'We recommend you use a supported runtime while creating or updating functions.',
      );
    }
  });

  it('says which runtimes it runs when it refuses one AWS has', () => {
    expect(runtimeRefusal('java21', python)).toBe(
      'The runtime parameter of java21 is not supported by this local stack. It runs nodejs*.x, python3.12, python3.13.',
    );
    expect(runtimeRefusal('ruby3.3', {})).toContain('It runs nodejs*.x.');
  });

  it('names the missing interpreter and its variable for a Python runtime it did not install', () => {
    const message = runtimeRefusal('python3.14', python);
    expect(message).toContain('no Python 3.14 interpreter was found');
    expect(message).toContain('OPENSKY_STREAM_PYTHON_3_14');
    expect(message).toContain('It runs nodejs*.x, python3.12, python3.13.');
    expect(runtimeRefusal('python3.9', python)).toContain('is not supported by this local stack. It runs');
  });

  it('checks the Runtime of a CreateFunction or UpdateFunctionConfiguration body, and nothing else', () => {
    expect(requestRefusal(body({ FunctionName: 'f', Runtime: 'java21' }), python)).toContain('java21');
    expect(requestRefusal(body({ FunctionName: 'f', Runtime: 'python3.12' }), python)).toBeUndefined();
    // No runtime (an image, or a configuration change that keeps it), or not JSON: moto decides.
    expect(requestRefusal(body({ FunctionName: 'f', PackageType: 'Image' }), python)).toBeUndefined();
    expect(requestRefusal(body(null), python)).toBeUndefined();
    expect(requestRefusal(new TextEncoder().encode('not json'), python)).toBeUndefined();
  });

  it('tells Python runtime identifiers apart', () => {
    expect(pythonVersionOf('python3.12')).toBe('3.12');
    expect(pythonVersionOf('python3.9')).toBe('3.9');
    expect(pythonVersionOf('nodejs22.x')).toBeUndefined();
    expect(pythonVersionOf('python3.12.1')).toBeUndefined();
  });

  it('reads the installed runtimes the stack hands the router', () => {
    expect(parsePythonRuntimes(undefined)).toEqual({});
    expect(parsePythonRuntimes(JSON.stringify(python))).toEqual(python);
    expect(() => parsePythonRuntimes('[]')).toThrow(/must be a JSON object/);
  });
});

describe('the bootstrap RIE starts', () => {
  const target = { handler: 'app.handler', memorySize: 512, codeDir: '/code/fn/sha' };

  it('runs awslambdaric in the runtime venv, the code folder on PYTHONPATH and the venv first on PATH', () => {
    expect(launchCommand({ ...target, runtime: 'python3.13' }, node, python, '/usr/bin:/bin')).toEqual({
      argv: ['/cache/py313/bin/python', '-m', 'awslambdaric', 'app.handler'],
      env: {
        PATH: '/cache/py313/bin:/usr/bin:/bin',
        PYTHONPATH: '/code/fn/sha',
        LAMBDA_RUNTIME_DIR: '/cache/py313',
      },
    });
  });

  it("runs the Node.js client with the managed runtime's flags, V8's heap sized to the memory setting", () => {
    expect(launchCommand({ ...target, runtime: 'nodejs22.x' }, node, python)).toEqual({
      argv: [
        '/usr/bin/node',
        '--expose-gc',
        '--max-http-header-size=81920',
        '--max-semi-space-size=25',
        '--max-old-space-size=461',
        '/cache/ric/index.mjs',
        'app.handler',
      ],
      env: {},
    });
    expect(
      launchCommand({ ...target, runtime: 'nodejs24.x', memorySize: 1769 }, node, python).argv.slice(3, 5),
    ).toEqual(['--max-semi-space-size=88', '--max-old-space-size=1593']);
  });

  it('refuses to start a runtime it cannot run (recorded before its interpreter went away)', () => {
    expect(() => launchCommand({ ...target, runtime: 'python3.11' }, node, python)).toThrow(
      /python3\.11 is not supported by this local stack/,
    );
  });
});

describe('finding a Python interpreter of one version', () => {
  const made: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtimes-test-'));
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in interpreter: a script that prints what the probe prints (executable, version). */
  function fakePython(dir: string, name: string, output: string, exitCode = 0): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\nprintf '${output}'\nexit ${exitCode}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('looks on the PATH, then in pyenv and uv builds (newest patch first, no free-threaded builds)', () => {
    const pyenv = scratch();
    const data = scratch();
    for (const version of ['3.12.1', '3.12.10', '3.12.9', '3.13.0', '3.12.4t']) {
      mkdirSync(join(pyenv, 'versions', version), { recursive: true });
    }
    for (const build of ['cpython-3.12.7-linux-x86_64-gnu', 'cpython-3.12.8+freethreaded-linux-x86_64-gnu']) {
      mkdirSync(join(data, 'uv', 'python', build), { recursive: true });
    }
    expect(interpreterCandidates('3.12', { PYENV_ROOT: pyenv, XDG_DATA_HOME: data })).toEqual([
      'python3.12',
      join(pyenv, 'versions', '3.12.10', 'bin', 'python3.12'),
      join(pyenv, 'versions', '3.12.9', 'bin', 'python3.12'),
      join(pyenv, 'versions', '3.12.1', 'bin', 'python3.12'),
      join(data, 'uv', 'python', 'cpython-3.12.7-linux-x86_64-gnu', 'bin', 'python3.12'),
    ]);
  });

  it('takes only OPENSKY_STREAM_PYTHON_X_Y when it is set', () => {
    expect(interpreterVariable('3.13')).toBe('OPENSKY_STREAM_PYTHON_3_13');
    expect(interpreterCandidates('3.13', { OPENSKY_STREAM_PYTHON_3_13: '/opt/py/bin/python3' })).toEqual([
      '/opt/py/bin/python3',
    ]);
  });

  it('accepts an interpreter of the wanted version only', async () => {
    const dir = scratch();
    const right = fakePython(dir, 'right', '/real/python3.12\\n3.12.4\\n');
    const wrong = fakePython(dir, 'wrong', '/real/python3.11\\n3.11.7\\n');
    const broken = fakePython(dir, 'broken', '', 1);
    expect(await findInterpreter('3.12', { OPENSKY_STREAM_PYTHON_3_12: right })).toEqual({
      executable: '/real/python3.12',
      version: '3.12.4',
    });
    expect(await findInterpreter('3.12', { OPENSKY_STREAM_PYTHON_3_12: wrong })).toBeUndefined();
    expect(await findInterpreter('3.12', { OPENSKY_STREAM_PYTHON_3_12: broken })).toBeUndefined();
    expect(
      await findInterpreter('3.12', { OPENSKY_STREAM_PYTHON_3_12: join(dir, 'missing') }),
    ).toBeUndefined();
  });
});
