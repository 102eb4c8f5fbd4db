/**
 * The public AWS endpoint (AWS_PORT, default 4566): a small Node router that
 * serves Lambda Invoke through AWS's own Runtime Interface Emulator (built
 * from the Go module proxy), SNS and SQS through fauxqs (npm, in the router's
 * process), and passes every other call to moto.
 * See endpoint/router.ts for its parts (registry, environment pool, Invoke, control plane).
 *
 * Inside each execution environment, RIE starts a Runtime API client on
 * Node 24 (`process.execPath`). Two are available, chosen by
 * `LAMBDA_RUNTIME_CLIENT`:
 *
 * - `aws-lambda-ric` (default): AWS's own client from npm, the one the managed
 *   Node.js runtimes use. It builds native code at install (curl and
 *   aws-lambda-cpp with cmake, then a Node-API addon with node-gyp), about a
 *   minute once, cached afterwards. If that build fails, the stack says so and
 *   uses the built-in client instead.
 * - `builtin`: endpoint/runtime.ts (dist/stack/runtime.js when installed), a plain-Node
 *   client of the same Runtime API.
 *
 * Python functions (`python3.N`) run AWS's Python client `awslambdaric` on a
 * Python 3.N found on the machine, in a venv with boto3 (endpoint/python-runtime.ts);
 * other runtimes are refused at CreateFunction (endpoint/runtimes.ts).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { motoToken } from './aws.ts';
import { runDirKey } from './endpoint/code-dir.ts';
import { installedPythonRuntimes, installPythonRuntimes } from './endpoint/python-runtime.ts';
import {
  accountId,
  ensureDir,
  type Log,
  logFile,
  runStep,
  type Service,
  type StackConfig,
  spawnService,
  stackFile,
  tcpOpen,
  waitUntil,
} from './lib.ts';

/** AWS's Runtime Interface Emulator, by Go pseudo-version (its tags are two-part, so `@v1.30` does not resolve). */
export const rieModule = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie';
export const rieVersion = 'v0.0.0-20261030222936-bef5c4ba774d';
/** AWS's Node.js Runtime Interface Client (npm `aws-lambda-ric`). */
export const ricVersion = '4.0.2';

/** fauxqs (npm, MIT): SNS and SQS, served inside the router. */
export const fauxqsVersion = '2.4.1';

/** What serves SNS and SQS: `fauxqs` (default) or `moto` (`OPENSKY_STREAM_MESSAGING`). */
export type MessagingBackend = 'fauxqs' | 'moto';

/** The value of environment variable `name`, one of `choices` (the first is the default). */
function envChoice<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly [T, ...T[]]): T {
  const raw = env[name] || choices[0];
  if (!(choices as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got '${raw}'`);
  }
  return raw as T;
}

export function messagingChoice(env: NodeJS.ProcessEnv = process.env): MessagingBackend {
  return envChoice(env, 'OPENSKY_STREAM_MESSAGING', ['fauxqs', 'moto']);
}

const fauxqsDir = (cfg: StackConfig) => join(cfg.cacheDir, `fauxqs-${fauxqsVersion}`);
const fauxqsStamp = (cfg: StackConfig) => join(fauxqsDir(cfg), '.complete');
/** fauxqs's module entry in the cache. */
export const fauxqsEntry = (cfg: StackConfig) =>
  join(fauxqsDir(cfg), 'node_modules', 'fauxqs', 'dist', 'app.js');

/** `npm install spec` into a project folder of its own in the cache (nothing saved, no lock file). */
async function npmInstallInto(
  cfg: StackConfig,
  dir: string,
  spec: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  ensureDir(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `opensky-stream-cache-${spec.split('@')[0]}`, private: true }, null, 2)}\n`,
  );
  await runStep(cfg, 'npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', spec], {
    cwd: dir,
    env,
  });
}

async function installFauxqs(cfg: StackConfig, log: Log): Promise<void> {
  if (existsSync(fauxqsStamp(cfg))) return;
  log(
    `lambda: installing fauxqs ${fauxqsVersion} (SNS and SQS) from the npm registry into ${fauxqsDir(cfg)}`,
  );
  await npmInstallInto(cfg, fauxqsDir(cfg), `fauxqs@${fauxqsVersion}`);
  writeFileSync(fauxqsStamp(cfg), `${new Date().toISOString()}\n`);
}

/** Which Runtime API client runs the handler inside RIE. */
export type RuntimeClient = 'aws-lambda-ric' | 'builtin';

/** `LAMBDA_RUNTIME_CLIENT`: `aws-lambda-ric` (default) or `builtin`. */
export function runtimeClientChoice(env: NodeJS.ProcessEnv = process.env): RuntimeClient {
  return envChoice(env, 'LAMBDA_RUNTIME_CLIENT', ['aws-lambda-ric', 'builtin']);
}

const binDir = (cfg: StackConfig) => join(cfg.cacheDir, `rie-${rieVersion}`);
/** Path of the RIE binary in the cache. */
export const rieBinary = (cfg: StackConfig) => join(binDir(cfg), 'aws-lambda-rie');

const ricDir = (cfg: StackConfig) => join(cfg.cacheDir, `aws-lambda-ric-${ricVersion}`);
const ricPackage = (cfg: StackConfig) => join(ricDir(cfg), 'node_modules', 'aws-lambda-ric');
const ricStamp = (cfg: StackConfig) => join(ricDir(cfg), '.complete');
const ricFailed = (cfg: StackConfig) => join(ricDir(cfg), '.failed');

/**
 * Where the endpoint unpacks function code: in the cache, one folder per run
 * directory, outside this package (its package.json must not apply to the
 * functions; see endpoint/code-dir.ts).
 */
export const lambdaCodeDir = (cfg: StackConfig) => join(cfg.cacheDir, 'lambda-code', runDirKey(cfg.runDir));

/** The client `start` will use: the wanted one if it is installed, else the built-in one. */
export function runtimeClient(
  cfg: StackConfig,
  env: NodeJS.ProcessEnv = process.env,
): { client: RuntimeClient; entry: string } {
  if (runtimeClientChoice(env) === 'aws-lambda-ric' && existsSync(ricStamp(cfg))) {
    return { client: 'aws-lambda-ric', entry: join(ricPackage(cfg), 'index.mjs') };
  }
  return { client: 'builtin', entry: stackFile('runtime') };
}

async function installRie(cfg: StackConfig, log: Log): Promise<void> {
  if (existsSync(rieBinary(cfg))) return;
  log(`lambda: building AWS Lambda Runtime Interface Emulator ${rieVersion} from the Go module proxy`);
  ensureDir(binDir(cfg));
  await runStep(cfg, process.env.OPENSKY_STREAM_GO || 'go', ['install', `${rieModule}@${rieVersion}`], {
    env: { ...process.env, GOBIN: binDir(cfg), CGO_ENABLED: '0', GOFLAGS: '-trimpath' },
  });
  writeFileSync(join(binDir(cfg), '.complete'), `${new Date().toISOString()}\n`);
}

/**
 * Headers for node-gyp. The addon uses Node-API only, but node-gyp still wants
 * a Node source tree and cannot download one offline: take the running Node's
 * own `include/` when it ships one, else the matching `node-<os>-<arch>`
 * package from the npm registry (the `node` devDependency already put it in
 * npm's cache).
 */
async function nodeHeaders(cfg: StackConfig): Promise<string> {
  const own = join(dirname(process.execPath), '..');
  if (existsSync(join(own, 'include', 'node', 'node_api.h'))) return own;
  const dir = join(ricDir(cfg), 'node-headers');
  const root = join(dir, 'package');
  if (existsSync(join(root, 'include', 'node', 'node_api.h'))) return root;
  ensureDir(dir);
  const spec = `node-${process.platform}-${process.arch}@${process.versions.node}`;
  await runStep(cfg, 'npm', ['pack', spec, '--pack-destination', dir, '--silent']);
  const tarball = join(dir, `node-${process.platform}-${process.arch}-${process.versions.node}.tgz`);
  await runStep(cfg, 'tar', ['-xzf', tarball, '-C', dir, 'package/include']);
  rmSync(tarball, { force: true });
  return root;
}

async function installRic(cfg: StackConfig, log: Log): Promise<void> {
  const started = performance.now();
  log(`lambda: building aws-lambda-ric ${ricVersion} (native: curl, aws-lambda-cpp, Node-API addon)`);
  ensureDir(ricDir(cfg));
  const nodedir = await nodeHeaders(cfg);
  // npm runs the package's build scripts with the first `node` on PATH: make it this Node.
  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodedir,
  };
  await npmInstallInto(cfg, ricDir(cfg), `aws-lambda-ric@${ricVersion}`, env);
  // The addon must load in the Node that runs the functions (it reads the Runtime API address on load).
  await runStep(
    cfg,
    process.execPath,
    ['-e', `require(${JSON.stringify(join(ricPackage(cfg), 'rapid-client.node'))})`],
    { env: { ...process.env, AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' } },
  );
  writeFileSync(ricStamp(cfg), `${new Date().toISOString()}\n`);
  log(`lambda: aws-lambda-ric ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
}

/** The end of install.log without npm's per-file tar warnings, which bury the actual error. */
function buildLogTail(cfg: StackConfig, lines = 12): string {
  const file = logFile(cfg, 'install');
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes('Ignoring unknown extended header keyword'))
    .slice(-lines)
    .join('\n');
}

async function routerAnswers(cfg: StackConfig): Promise<boolean> {
  try {
    const response = await fetch(`http://${cfg.host}:${cfg.awsPort}/_stack/health`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.status === 200 && ((await response.json()) as { status?: string }).status === 'ok';
  } catch {
    return false;
  }
}

export const endpointService: Service = {
  name: 'lambda',
  endpoint: (cfg) => `http://${cfg.host}:${cfg.awsPort} (AWS endpoint, Invoke via RIE)`,

  async install(cfg, log) {
    if (messagingChoice() === 'fauxqs') await installFauxqs(cfg, log);
    await installRie(cfg, log);
    await installPythonRuntimes(cfg, log);
    if (runtimeClientChoice() !== 'aws-lambda-ric' || existsSync(ricStamp(cfg))) return;
    if (existsSync(ricFailed(cfg))) {
      log(
        `lambda: aws-lambda-ric failed to build before (${ricFailed(cfg)}); using the built-in runtime client. ` +
          'Delete that file to try again.',
      );
      return;
    }
    try {
      await installRic(cfg, log);
    } catch (error) {
      const reason = `${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n${buildLogTail(cfg)}`;
      writeFileSync(ricFailed(cfg), `${new Date().toISOString()}\n${reason}\n`);
      log(`lambda: aws-lambda-ric could not be built; using the built-in runtime client instead.\n${reason}`);
    }
  },

  async start(cfg, log) {
    if (await tcpOpen(cfg.host, cfg.awsPort)) {
      log(
        `lambda: ${cfg.host}:${cfg.awsPort} is already taken; waiting for it to answer as the AWS endpoint`,
      );
      await waitUntil(`lambda (AWS endpoint on ${cfg.host}:${cfg.awsPort})`, () => routerAnswers(cfg), {
        timeoutMs: 30_000,
      });
      return;
    }
    const { client, entry } = runtimeClient(cfg);
    const messaging = messagingChoice() === 'fauxqs' && existsSync(fauxqsStamp(cfg)) ? fauxqsEntry(cfg) : '';
    log(`lambda: runtime client ${client} (${entry}); SNS and SQS by ${messaging ? 'fauxqs' : 'moto'}`);
    const python = installedPythonRuntimes(cfg);
    log(
      `lambda: nodejs runtimes on Node.js ${process.versions.node}; ${
        Object.entries(python)
          .map(([runtime, { version }]) => `${runtime} on Python ${version}`)
          .join(', ') || 'no Python runtime'
      }`,
    );
    spawnService(cfg, 'lambda', process.execPath, [stackFile('router')], {
      env: {
        ...process.env,
        ROUTER_PORT: String(cfg.awsPort),
        ROUTER_HOST: cfg.host,
        MOTO_PORT: String(cfg.motoPort),
        ROUTER_MOTO_TOKEN: motoToken(cfg) ?? '',
        ROUTER_RUN_DIR: cfg.runDir,
        ROUTER_CODE_DIR: lambdaCodeDir(cfg),
        ROUTER_RIE_BIN: rieBinary(cfg),
        ROUTER_RUNTIME: entry,
        ROUTER_RUNTIME_CLIENT: client,
        ROUTER_MESSAGING_ENTRY: messaging,
        ROUTER_PYTHON_RUNTIMES: JSON.stringify(python),
        MOTO_ACCOUNT_ID: accountId,
      },
      // Mappings' pollers first, then the environments (router.ts): never RIE by SIGTERM.
      stopsItsChildren: true,
    });
    await waitUntil('lambda (AWS endpoint)', () => routerAnswers(cfg), {
      timeoutMs: 30_000,
      cfg,
      service: 'lambda',
    });
  },

  healthy: (cfg) => routerAnswers(cfg),
};

/** The reason recorded when aws-lambda-ric failed to build, if it did. */
export function ricBuildFailure(cfg: StackConfig): string | undefined {
  return existsSync(ricFailed(cfg)) ? readFileSync(ricFailed(cfg), 'utf8') : undefined;
}
