/**
 * The local AWS endpoint (default 127.0.0.1:4566). Lambda's data plane is
 * served here, everything else is passed through to moto unchanged:
 *
 * - CreateFunction / UpdateFunctionCode / UpdateFunctionConfiguration /
 *   DeleteFunction go to moto (the control plane of record); on success the
 *   router also unpacks the code and remembers handler, environment, timeout
 *   and memory (persisted, so a restart keeps deployed functions).
 * - Invoke (POST /2015-03-31/functions/{name}/invocations) runs the function
 *   in AWS's Runtime Interface Emulator: one RIE process per concurrent
 *   execution environment, started on first use (cold start) and kept warm,
 *   at most LAMBDA_MAX_CONCURRENCY per function; further invocations queue.
 *   RIE serves a single function and sets no X-Amz-Function-Error header, so
 *   the router adds what the real Invoke API answers: the function-error
 *   header, 404 ResourceNotFoundException, Event (202) and DryRun (204)
 *   invocation types, the 6 MB payload limit and `LogType: Tail`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';

const config = {
  port: Number(process.env.ROUTER_PORT ?? 4566),
  host: process.env.ROUTER_HOST ?? '127.0.0.1',
  motoPort: Number(process.env.MOTO_PORT ?? 4567),
  runDir: process.env.ROUTER_RUN_DIR ?? join(process.cwd(), '.stack'),
  rie: process.env.ROUTER_RIE_BIN ?? 'aws-lambda-rie',
  runtime: process.env.ROUTER_RUNTIME ?? join(dirname(new URL(import.meta.url).pathname), 'runtime.ts'),
  maxConcurrency: Math.max(1, Number(process.env.LAMBDA_MAX_CONCURRENCY ?? 2)),
  maxQueue: Math.max(1, Number(process.env.LAMBDA_MAX_QUEUE ?? 1000)),
  region: process.env.AWS_REGION ?? 'us-east-1',
};

const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const functionsDir = join(config.runDir, 'lambda', 'functions');
const registryFile = join(config.runDir, 'lambda', 'registry.json');

interface FunctionDef {
  name: string;
  arn: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  codeSha256: string;
  codeDir: string;
}

interface Instance {
  process: ChildProcess;
  port: number;
  busy: boolean;
  log: string[];
}

interface Pool {
  def: FunctionDef;
  instances: Instance[];
  waiting: Array<(instance: Instance) => void>;
}

const registry = new Map<string, FunctionDef>();
const pools = new Map<string, Pool>();

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
}

function loadRegistry(): void {
  if (!existsSync(registryFile)) return;
  for (const def of JSON.parse(readFileSync(registryFile, 'utf8')) as FunctionDef[]) {
    if (existsSync(def.codeDir)) registry.set(def.name, def);
  }
}

function saveRegistry(): void {
  mkdirSync(dirname(registryFile), { recursive: true });
  writeFileSync(registryFile, JSON.stringify([...registry.values()], null, 2));
}

function readBody(req: IncomingMessage, limit = 80 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(
    res,
    status,
    { Type: 'User', message },
    { 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() },
  );
}

/** Stream a request to moto unchanged, or with a body we already read. */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body?: Buffer,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: `${config.host}:${config.motoPort}` };
    if (body) headers['content-length'] = String(body.length);
    const upstream = request(
      { host: config.host, port: config.motoPort, method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!body) {
          up.pipe(res);
          up.on('end', () => resolve({ status: up.statusCode ?? 502, body: Buffer.alloc(0) }));
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          res.write(chunk);
        });
        up.on('end', () => {
          res.end();
          resolve({ status: up.statusCode ?? 502, body: Buffer.concat(chunks) });
        });
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) awsError(res, 502, 'ServiceException', `moto unreachable: ${error.message}`);
      reject(error);
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  });
}

/** `my-fn`, `my-fn:alias` or `arn:aws:lambda:region:acct:function:my-fn[:qualifier]` → `my-fn`. */
export function functionNameOf(raw: string): string {
  const decoded = decodeURIComponent(raw);
  if (decoded.startsWith('arn:')) return decoded.split(':')[6] ?? decoded;
  return decoded.split(':')[0] ?? decoded;
}

function retire(name: string): void {
  const pool = pools.get(name);
  if (!pool) return;
  pools.delete(name);
  for (const instance of pool.instances) instance.process.kill('SIGKILL');
}

function recordFunction(config: Record<string, unknown>, zip?: Buffer): void {
  const name = String(config.FunctionName);
  const previous = registry.get(name);
  let codeDir = previous?.codeDir ?? '';
  let codeSha256 = String(config.CodeSha256 ?? previous?.codeSha256 ?? '');
  if (zip) {
    codeSha256 = createHash('sha256').update(zip).digest('base64');
    codeDir = join(functionsDir, name, codeSha256.replace(/[^A-Za-z0-9]/g, '_'));
    if (!existsSync(codeDir)) {
      const files = unzipSync(new Uint8Array(zip));
      for (const [path, data] of Object.entries(files)) {
        if (path.endsWith('/')) continue;
        const target = join(codeDir, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, data);
      }
    }
  }
  const environment = ((config.Environment as { Variables?: Record<string, string> } | undefined)
    ?.Variables ?? {}) as Record<string, string>;
  registry.set(name, {
    name,
    arn: String(
      config.FunctionArn ?? previous?.arn ?? `arn:aws:lambda:${config.region}:000000000000:function:${name}`,
    ),
    handler: String(config.Handler ?? previous?.handler ?? 'index.handler'),
    runtime: String(config.Runtime ?? previous?.runtime ?? 'nodejs22.x'),
    timeout: Number(config.Timeout ?? previous?.timeout ?? 3),
    memorySize: Number(config.MemorySize ?? previous?.memorySize ?? 128),
    environment,
    codeSha256,
    codeDir,
  });
  saveRegistry();
  retire(name);
  log('function recorded', { name, codeSha256, handler: registry.get(name)?.handler });
}

async function handleControlPlane(
  req: IncomingMessage,
  res: ServerResponse,
  kind: 'create' | 'code' | 'configuration' | 'delete',
  name?: string,
): Promise<void> {
  const body = await readBody(req);
  const { status, body: answer } = await forward(req, res, body);
  if (status < 200 || status >= 300) return;
  if (kind === 'delete' && name) {
    retire(name);
    const def = registry.get(name);
    registry.delete(name);
    saveRegistry();
    if (def) rmSync(join(functionsDir, name), { recursive: true, force: true });
    return;
  }
  let request: Record<string, unknown> = {};
  let response: Record<string, unknown> = {};
  try {
    request = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    response = answer.length ? (JSON.parse(answer.toString('utf8')) as Record<string, unknown>) : {};
  } catch (error) {
    log('could not read a control-plane call', { kind, error: String(error) });
    return;
  }
  const zipBase64 =
    kind === 'create'
      ? (request.Code as { ZipFile?: string } | undefined)?.ZipFile
      : (request.ZipFile as string | undefined);
  if ((kind === 'create' || kind === 'code') && !zipBase64) {
    log('function code not given as ZipFile: Invoke will not be able to run it', {
      name: response.FunctionName,
    });
  }
  recordFunction(response, zipBase64 ? Buffer.from(zipBase64, 'base64') : undefined);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, config.host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`RIE exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createNetServer().listen(port, config.host);
      socket.once('listening', () => socket.close(() => resolve(false)));
      socket.once('error', () => resolve(true));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('RIE did not start listening');
}

async function startInstance(def: FunctionDef): Promise<Instance> {
  const [rapidPort, runtimePort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    AWS_ENDPOINT_URL: `http://${config.host}:${config.port}`,
    AWS_LAMBDA_FUNCTION_NAME: def.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(def.timeout),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${def.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/${rapidPort}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${def.runtime}`,
    LAMBDA_TASK_ROOT: def.codeDir,
    LAMBDA_RUNTIME_DIR: dirname(config.runtime),
    _HANDLER: def.handler,
    NODE_OPTIONS: '--enable-source-maps',
    ...def.environment,
  };
  const child = spawn(
    config.rie,
    [
      '--log-level',
      'error',
      '--runtime-interface-emulator-address',
      `${config.host}:${rapidPort}`,
      '--runtime-api-address',
      `${config.host}:${runtimePort}`,
      process.execPath,
      config.runtime,
      def.handler,
    ],
    { cwd: def.codeDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const instance: Instance = { process: child, port: rapidPort, busy: false, log: [] };
  const logFile = join(functionsDir, `${def.name}.log`);
  const capture = (chunk: Buffer) => {
    instance.log.push(chunk.toString('utf8'));
    appendFileSync(logFile, chunk);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  child.on('exit', (code, signal) => {
    const pool = pools.get(def.name);
    if (pool) pool.instances = pool.instances.filter((other) => other !== instance);
    log('execution environment exited', { name: def.name, code, signal });
  });
  await waitForPort(rapidPort, child);
  log('execution environment started', { name: def.name, port: rapidPort });
  return instance;
}

async function acquire(def: FunctionDef): Promise<Instance> {
  let pool = pools.get(def.name);
  if (!pool) {
    pool = { def, instances: [], waiting: [] };
    pools.set(def.name, pool);
  }
  const idle = pool.instances.find((instance) => !instance.busy && instance.process.exitCode === null);
  if (idle) {
    idle.busy = true;
    return idle;
  }
  if (pool.instances.length < config.maxConcurrency) {
    const placeholder = { busy: true } as Instance;
    pool.instances.push(placeholder);
    try {
      const instance = await startInstance(def);
      instance.busy = true;
      pool.instances[pool.instances.indexOf(placeholder)] = instance;
      return instance;
    } catch (error) {
      pool.instances = pool.instances.filter((other) => other !== placeholder);
      throw error;
    }
  }
  if (pool.waiting.length >= config.maxQueue)
    throw Object.assign(new Error('Rate exceeded'), { throttled: true });
  const current = pool;
  return new Promise((resolve) => current.waiting.push(resolve));
}

function release(def: FunctionDef, instance: Instance): void {
  const pool = pools.get(def.name);
  if (!pool?.instances.includes(instance) || instance.process.exitCode !== null) {
    instance.process.kill('SIGKILL');
    // A waiter must not starve because this environment is gone.
    const waiter = pool?.waiting.shift();
    if (waiter && pool) acquire(pool.def).then(waiter, () => undefined);
    return;
  }
  const waiter = pool.waiting.shift();
  if (waiter) waiter(instance);
  else instance.busy = false;
}

function callRie(
  instance: Instance,
  payload: Buffer,
  requestId: string,
  timeoutMs: number,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: config.host,
        port: instance.port,
        method: 'POST',
        path: '/2015-03-31/functions/function/invocations',
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          'x-amzn-requestid': requestId,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out waiting for the execution environment')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Function error payloads the runtime posts: `{errorType, errorMessage, ...}` and nothing unexpected. */
function functionError(body: Buffer, status: number): boolean {
  if (status >= 500) return true;
  const text = body.toString('utf8');
  if (/^Task timed out after /.test(text)) return true;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof parsed.errorMessage === 'string' &&
      Object.keys(parsed).every((key) =>
        ['errorType', 'errorMessage', 'trace', 'stackTrace', 'requestId'].includes(key),
      )
    );
  } catch {
    return false;
  }
}

async function handleInvoke(req: IncomingMessage, res: ServerResponse, rawName: string): Promise<void> {
  const name = functionNameOf(rawName);
  const def = registry.get(name);
  if (!def) {
    awsError(
      res,
      404,
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:${config.region}:000000000000:function:${name}`,
    );
    return;
  }
  const payload = await readBody(req);
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (type === 'RequestResponse' && payload.length > MAX_SYNC_PAYLOAD) {
    awsError(
      res,
      413,
      'RequestEntityTooLargeException',
      `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`,
    );
    return;
  }
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': randomUUID() });
    res.end();
    return;
  }
  const requestId = randomUUID();
  const run = async () => {
    let instance: Instance;
    try {
      instance = await acquire(def);
    } catch (error) {
      if ((error as { throttled?: boolean }).throttled) {
        return { throttled: true as const };
      }
      throw error;
    }
    instance.log = [];
    try {
      const answer = await callRie(
        instance,
        payload.length ? payload : Buffer.from('{}'),
        requestId,
        (def.timeout + 5) * 1000,
      );
      return { answer, logs: instance.log.join('') };
    } finally {
      release(def, instance);
    }
  };
  if (type === 'Event') {
    res.writeHead(202, { 'x-amzn-requestid': requestId });
    res.end();
    run().catch((error: unknown) => log('async invocation failed', { name, error: String(error) }));
    return;
  }
  const started = performance.now();
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run();
  } catch (error) {
    awsError(res, 502, 'ServiceException', `execution environment failed: ${(error as Error).message}`);
    return;
  }
  if ('throttled' in outcome) {
    awsError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.');
    return;
  }
  const { answer, logs } = outcome;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': '$LATEST',
  };
  let body = answer.body;
  if (functionError(body, answer.status)) {
    headers['x-amz-function-error'] = 'Unhandled';
    const text = body.toString('utf8');
    if (!text.startsWith('{'))
      body = Buffer.from(
        JSON.stringify({ errorMessage: `${new Date().toISOString()} ${requestId} ${text}` }),
      );
  }
  if (req.headers['x-amz-log-type'] === 'Tail') {
    headers['x-amz-log-result'] = Buffer.from(Buffer.from(logs).subarray(-4096)).toString('base64');
  }
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(body);
  log('invoke', {
    name,
    requestId,
    ms: Math.round(performance.now() - started),
    error: headers['x-amz-function-error'],
  });
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const functionPath = /^\/2015-03-31\/functions\/([^/?]+)(\/code|\/configuration)?\/?$/;

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  let work: Promise<unknown>;
  const invoke = invokePath.exec(path);
  const fn = functionPath.exec(path);
  if (invoke && req.method === 'POST') work = handleInvoke(req, res, invoke[1] ?? '');
  else if (/^\/2015-03-31\/functions\/?$/.test(path) && req.method === 'POST')
    work = handleControlPlane(req, res, 'create');
  else if (fn && fn[2] === '/code' && req.method === 'PUT')
    work = handleControlPlane(req, res, 'code', functionNameOf(fn[1] ?? ''));
  else if (fn && fn[2] === '/configuration' && req.method === 'PUT')
    work = handleControlPlane(req, res, 'configuration', functionNameOf(fn[1] ?? ''));
  else if (fn && !fn[2] && req.method === 'DELETE')
    work = handleControlPlane(req, res, 'delete', functionNameOf(fn[1] ?? ''));
  else if (path === '/_stack/health') {
    sendJson(res, 200, {
      status: 'ok',
      functions: [...registry.keys()],
      warm: [...pools.values()].map((p) => [p.def.name, p.instances.length]),
    });
    return;
  } else work = forward(req, res);
  work.catch((error: unknown) => {
    log('request failed', { path, error: String(error) });
    if (!res.headersSent) awsError(res, 500, 'ServiceException', String(error));
    else res.destroy();
  });
});

function shutdown(): void {
  for (const name of [...pools.keys()]) retire(name);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
loadRegistry();
server.keepAliveTimeout = 65_000;
server.listen(config.port, config.host, () =>
  log('listening', { host: config.host, port: config.port, functions: registry.size }),
);
