/**
 * One execution environment: an AWS Runtime Interface Emulator process
 * serving one function version, with the runtime client it starts; how it is
 * started (free ports, its environment, its output captured to the function's
 * log) and how an invocation is sent to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { type FunctionEnvSettings, functionEnvironment } from './function-env.ts';
import { call, type Upstream } from './http.ts';
import type { EndpointLog } from './log.ts';
import type { FunctionDef } from './registry.ts';
import { launchCommand, type PythonRuntimes } from './runtimes.ts';

/** A running (or starting) execution environment. */
export interface Instance {
  process?: ChildProcess;
  /** RIE's invoke port. */
  port: number;
  busy: boolean;
  lastUsed: number;
  /** Output since the current invocation started (`LogType: Tail`). */
  log: string[];
}

/** What starting an environment takes from the endpoint. */
export interface EnvironmentSettings extends FunctionEnvSettings {
  /** The address RIE listens on. */
  host: string;
  rieBinary: string;
  pythonRuntimes: PythonRuntimes;
  /** Where the functions' logs go (`<name>.log`). */
  functionsDir: string;
  log: EndpointLog;
}

/** True while the environment's process runs. */
export const isAlive = (instance: Instance): boolean =>
  instance.process !== undefined &&
  instance.process.exitCode === null &&
  instance.process.signalCode === null;

/** Resolves true when the environment's process has exited, or exits within `ms`. */
export function exitsWithin(instance: Instance, ms: number): Promise<boolean> {
  const child = instance.process;
  if (!child || !isAlive(instance)) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolveExit(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolveExit(true);
    };
    child.once('exit', onExit);
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(
  host: string,
  port: number,
  child: ChildProcess,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`RIE exited (${child.exitCode ?? child.signalCode}) before listening`);
    }
    if (await accepts(host, port)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  throw new Error('RIE did not start listening');
}

/**
 * Start RIE for `def` into `instance` (cold start) and wait until it listens. `onExit` runs
 * when the process ends, whatever the reason.
 */
export async function startEnvironment(
  def: FunctionDef,
  instance: Instance,
  settings: EnvironmentSettings,
  onExit: () => void,
): Promise<void> {
  const { host, log } = settings;
  const launch = launchCommand(
    def,
    { execPath: process.execPath, client: settings.runtimeEntry },
    settings.pythonRuntimes,
    process.env.PATH,
  );
  const [rapidPort, runtimePort] = [await freePort(host), await freePort(host)];
  const child = spawn(
    settings.rieBinary,
    [
      '--log-level',
      'error',
      '--runtime-interface-emulator-address',
      `${host}:${rapidPort}`,
      '--runtime-api-address',
      `${host}:${runtimePort}`,
      ...launch.argv,
    ],
    {
      cwd: def.codeDir,
      env: functionEnvironment(def, rapidPort, settings, launch.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  instance.process = child;
  instance.port = rapidPort;
  const logFile = join(settings.functionsDir, `${def.name}.log`);
  // Nothing else makes this folder since code is unpacked outside the run directory (code-dir.ts).
  mkdirSync(settings.functionsDir, { recursive: true });
  const capture = (chunk: Buffer) => {
    instance.log.push(chunk.toString('utf8'));
    try {
      appendFileSync(logFile, chunk);
    } catch {
      // the function was deleted meanwhile
    }
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  child.on('error', (error) => log('execution environment could not start', { error: String(error) }));
  child.on('exit', (code, signal) => {
    onExit();
    log('execution environment stopped', { name: def.name, version: def.version, code, signal });
  });
  await waitForPort(host, rapidPort, child);
  log('execution environment started', { name: def.name, version: def.version, port: rapidPort });
}

/** Send one invocation to the environment (RIE's own Invoke API) and read its whole answer. */
export function invokeEnvironment(
  host: string,
  instance: Instance,
  payload: Buffer,
  requestId: string,
  timeoutMs: number,
  forwarded: Record<string, string>,
): Promise<Upstream> {
  return call(
    {
      host,
      port: instance.port,
      method: 'POST',
      path: '/2015-03-31/functions/function/invocations',
      headers: {
        'content-type': 'application/json',
        'content-length': payload.length,
        'x-amzn-requestid': requestId,
        ...forwarded,
      },
      timeout: timeoutMs,
    },
    payload,
    'the execution environment did not answer',
  );
}
