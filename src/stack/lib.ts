/**
 * Shared plumbing for the native (Docker-free) local stack: where things are
 * cached and logged, how a service is spawned detached and stopped by pid,
 * and small health-check helpers. Each service (kafka.ts, aws.ts, endpoint.ts)
 * builds on this and exports a {@link Service}.
 *
 * The same code runs from a source checkout (src/stack/*.ts, run directly by
 * Node) and from the installed package (bundled into dist/): {@link fromSources}
 * tells them apart, {@link stackFile} finds the files the stack ships with.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../util/package-root.ts';

/**
 * The one AWS account of the local stack. fauxqs (SNS, SQS) has it fixed;
 * moto (IAM, STS, CloudWatch, Lambda) is started with it; LocalStack uses it too.
 */
export const accountId = '000000000000';

/**
 * True when this module runs from the TypeScript sources (a checkout), false
 * in the built package (dist/), where tsup bundled it.
 */
export const fromSources = import.meta.url.endsWith('.ts');

/**
 * A file the stack needs at run time, in the checkout or in the installed package:
 * - `router` / `runtime`: the Node programs the stack spawns (the AWS endpoint and the
 *   built-in Lambda runtime client): `src/stack/endpoint/main.ts` and `runtime.ts` in a
 *   checkout, `dist/stack/<name>.js` (own tsup entries) in the package;
 * - `pom.xml` / `log4j2.properties`: Kafka's resources, shipped as they are
 *   (`src/stack/kafka/`, listed in package.json `files`).
 */
export function stackFile(name: 'router' | 'runtime' | 'pom.xml' | 'log4j2.properties'): string {
  const root = packageRoot();
  if (name === 'pom.xml' || name === 'log4j2.properties') return join(root, 'src', 'stack', 'kafka', name);
  return fromSources
    ? join(root, 'src', 'stack', 'endpoint', name === 'router' ? 'main.ts' : `${name}.ts`)
    : join(root, 'dist', 'stack', `${name}.js`);
}

/**
 * Where the stack keeps pid files, logs and data unless `OPENSKY_STREAM_RUN_DIR`
 * says otherwise: `.stack/` in a source checkout (beside the code being
 * developed), else the user's state directory, `$XDG_STATE_HOME/opensky-stream`
 * (`~/.local/state/opensky-stream`): an installed package's folder may be
 * read-only or shared by several projects.
 */
export function defaultRunDir(env: NodeJS.ProcessEnv = process.env): string {
  if (fromSources) return join(packageRoot(), '.stack');
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'opensky-stream');
}

function envPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return port;
}

export interface StackConfig {
  /** Host every service binds to. Always loopback. */
  host: string;
  /** Kafka client listener. Env `KAFKA_PORT`, default 9092. */
  kafkaPort: number;
  /** Kafka KRaft controller listener. Env `KAFKA_CONTROLLER_PORT`, default 9093. */
  kafkaControllerPort: number;
  /** The public AWS-API endpoint (SNS, SQS, Lambda incl. Invoke). Env `AWS_PORT`, default 4566. */
  awsPort: number;
  /** moto's own port, behind the AWS endpoint. Env `MOTO_PORT`, default 4567. */
  motoPort: number;
  /**
   * Downloads (Maven jars, Python venv, Go binaries, npm packages). Env `OPENSKY_STREAM_CACHE`,
   * default `$XDG_CACHE_HOME/opensky-stream` (`~/.cache/opensky-stream`).
   */
  cacheDir: string;
  /**
   * Pid files, logs and data of the running stack. Env `OPENSKY_STREAM_RUN_DIR`, default
   * {@link defaultRunDir}: `.stack/` in a checkout, `~/.local/state/opensky-stream` when installed.
   */
  runDir: string;
}

export function stackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return {
    host: '127.0.0.1',
    kafkaPort: envPort(env, 'KAFKA_PORT', 9092),
    kafkaControllerPort: envPort(env, 'KAFKA_CONTROLLER_PORT', 9093),
    awsPort: envPort(env, 'AWS_PORT', 4566),
    motoPort: envPort(env, 'MOTO_PORT', 4567),
    cacheDir: resolve(env.OPENSKY_STREAM_CACHE || join(xdg, 'opensky-stream')),
    runDir: resolve(env.OPENSKY_STREAM_RUN_DIR || defaultRunDir(env)),
  };
}

export type Log = (message: string) => void;

/** One service of the stack. Every method is idempotent. */
export interface Service {
  name: string;
  /** Human-readable address(es), for `stack:status`. */
  endpoint(cfg: StackConfig): string;
  /** Download / build what the service needs into `cfg.cacheDir`; fast when cached. */
  install(cfg: StackConfig, log: Log): Promise<void>;
  /** Spawn the service detached (see {@link spawnService}) and wait until healthy. */
  start(cfg: StackConfig, log: Log): Promise<void>;
  /** True when the service answers on its endpoint. */
  healthy(cfg: StackConfig): Promise<boolean>;
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

export const logFile = (cfg: StackConfig, name: string) => join(cfg.runDir, `${name}.log`);
const pidFile = (cfg: StackConfig, name: string) => join(cfg.runDir, `${name}.pid`);

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * The process stops its own children, in order, when it gets SIGTERM: `stopService` then
   * signals it alone, and its group only gets SIGKILL, after it exited or after the grace.
   * The router needs this: SIGTERM reaching RIE while it runs an invocation makes RIE
   * answer it 200 with an empty body (its reset path reports success), which Lambda's
   * callers read as a batch that succeeded. @default false: SIGTERM to the whole group
   */
  stopsItsChildren?: boolean;
}

/** The pid file's second line when the service stops its own children (see {@link SpawnOptions}). */
const STOPS_ITS_CHILDREN = 'stops-its-children';

/**
 * Start a long-running process detached in its own process group, stdout and
 * stderr appended to `<runDir>/<name>.log`, pid written to `<runDir>/<name>.pid`.
 * `stopService` later stops it and kills what is left of its group, so children
 * (e.g. the Lambda runtimes the router starts) go with it.
 */
export function spawnService(
  cfg: StackConfig,
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): number {
  ensureDir(cfg.runDir);
  const out = openSync(logFile(cfg, name), 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd ?? packageRoot(),
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${name}: ${command} ${args.join(' ')}`);
    child.unref();
    writeFileSync(
      pidFile(cfg, name),
      `${child.pid}\n${options.stopsItsChildren ? `${STOPS_ITS_CHILDREN}\n` : ''}`,
    );
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** The pid file's lines: the pid, then what `stopService` needs to know. */
function pidFileLines(cfg: StackConfig, name: string): string[] {
  const file = pidFile(cfg, name);
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim())
    : [];
}

export function readPid(cfg: StackConfig, name: string): number | undefined {
  const pid = Number(pidFileLines(cfg, name)[0] || Number.NaN);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that exited but was not reaped yet (a zombie) still answers signal 0. Its parent may
  // be blocked (npm test starts the stack, then waits for vitest synchronously), so it can stay a
  // zombie for the whole run: it is gone for us, and waiting for it would wait for ever.
  return !isZombie(pid);
}

/** True when `pid` is a zombie (Linux: state `Z` in /proc/<pid>/stat); false where /proc is not there. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself hold spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The pid of a service we started that is still running, if any. */
export function runningPid(cfg: StackConfig, name: string): number | undefined {
  const pid = readPid(cfg, name);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stop a service we started (by its pid file): SIGTERM to its group (or to it alone when it
 * stops its own children, see {@link SpawnOptions.stopsItsChildren}), SIGKILL to the group
 * after `graceMs`, and to what is left of the group once it exited.
 */
export async function stopService(cfg: StackConfig, name: string, graceMs = 15_000): Promise<boolean> {
  const pid = readPid(cfg, name);
  if (pid === undefined) return false;
  if (isAlive(pid)) {
    if (pidFileLines(cfg, name).includes(STOPS_ITS_CHILDREN)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    } else killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) killGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
    // Children that outlived the leader are still in the group.
    killGroup(pid, 'SIGKILL');
  }
  rmSync(pidFile(cfg, name), { force: true });
  return true;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The last `lines` lines of a file (without the final newline), reading only
 * as much of its end as they need: logs grow to hundreds of megabytes.
 * `undefined` when the file does not exist.
 */
export function readLastLines(file: string, lines: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunks: Buffer[] = [];
    let position = fstatSync(fd).size;
    let newlines = 0;
    // One newline more than lines wanted: the first line kept is then complete.
    while (position > 0 && newlines <= lines) {
      const length = Math.min(64 * 1024, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
    const text = Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
    return lines <= 0 ? '' : text.split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export function tailOf(file: string, lines = 30): string {
  return readLastLines(file, lines) ?? '(no log)';
}

/**
 * Poll `check` until it returns true. Fails with the tail of the service's log
 * when `timeoutMs` passes or when the process we started has died.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; cfg?: StackConfig; service?: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    const { cfg, service } = options;
    const dead =
      cfg && service && readPid(cfg, service) !== undefined && runningPid(cfg, service) === undefined;
    if (dead || Date.now() > deadline) {
      const why = dead ? 'its process exited' : `not ready after ${options.timeoutMs / 1000}s`;
      const log =
        cfg && service ? `\n--- ${logFile(cfg, service)} (tail) ---\n${tailOf(logFile(cfg, service))}` : '';
      throw new Error(`${what}: ${why}${log}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/**
 * Run an install step in the foreground. Output goes to `<runDir>/install.log`;
 * on failure the error carries the command and the tail of that log.
 */
export function runStep(
  cfg: StackConfig,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<void> {
  ensureDir(cfg.runDir);
  const file = logFile(cfg, 'install');
  const out = openSync(file, 'a');
  writeFileSync(file, `\n$ ${command} ${args.join(' ')}\n`, { flag: 'a' });
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? packageRoot(),
      env: options.env ?? process.env,
      stdio: ['ignore', out, out],
    });
    child.once('error', (error) => {
      closeSync(out);
      rejectRun(new Error(`${command} could not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      closeSync(out);
      if (code === 0) resolveRun();
      else
        rejectRun(
          new Error(
            `'${command} ${args.join(' ')}' failed (${signal ?? `exit ${code}`})\n--- ${file} (tail) ---\n${tailOf(file)}`,
          ),
        );
    });
  });
}

/**
 * Run `fn` holding an exclusive lock file at `path` (created with O_EXCL,
 * holding the owner's pid). Installs share the cache between checkouts and CI
 * jobs on one machine: two `stack up` building the same native addon in one
 * folder at once corrupted it (configure's files vanished mid-run). A lock
 * whose owner is gone is taken over; waiting is bounded by `timeoutMs`.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; pollMs?: number; onWait?: (ownerPid: number) => void } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000);
  let told = false;
  for (;;) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(path, 'utf8').trim() || 'NaN');
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path} (held by pid ${owner})`);
    if (!told && Number.isInteger(owner)) {
      told = true;
      options.onWait?.(owner);
    }
    await sleep(options.pollMs ?? 500);
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
