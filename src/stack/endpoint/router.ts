/**
 * The local AWS endpoint (default 127.0.0.1:4566). Lambda's data plane is
 * served here; SNS and SQS by fauxqs (npm), in this process; everything else
 * (IAM, STS, CloudWatch, the Lambda control plane) is passed through to moto:
 *
 * - SNS and SQS (told apart by X-Amz-Target and the SigV4 credential scope,
 *   see protocol.ts) go to fauxqs, a Node emulator delivering about 12x as fast as
 *   moto's SNS→SQS fan-out (`npm run bench -- aws-endpoints`). It runs inside
 *   this process (Fastify's `routing`), so a notification costs no extra hop.
 *   Both backends use account 000000000000, so ARNs agree.
 * - Requests that could come from a web page are refused (403): a Host that is
 *   not loopback (DNS rebinding), a foreign Origin, or a form post to the
 *   Lambda API (see `refusal` in protocol.ts). This endpoint runs code.
 *
 * - CreateFunction / UpdateFunctionCode / UpdateFunctionConfiguration /
 *   DeleteFunction go to moto (the control plane of record); on success the
 *   router also unpacks the code (outside any package, as in /var/task: see
 *   code-dir.ts) and remembers handler, environment, timeout
 *   and memory (persisted, so a restart keeps deployed functions; entries moto
 *   no longer knows are dropped at start).
 * - Invoke (POST /2015-03-31/functions/{name}/invocations) runs the function
 *   in AWS's Runtime Interface Emulator: one RIE process per concurrent
 *   execution environment, started on first use (cold start), kept warm and
 *   stopped after LAMBDA_IDLE_TIMEOUT_SECONDS unused, at most
 *   LAMBDA_MAX_CONCURRENCY per function; further invocations queue (up to
 *   LAMBDA_MAX_QUEUE, then 429 TooManyRequestsException).
 *   RIE serves a single function, answers function errors with HTTP 200 and
 *   no X-Amz-Function-Error header, and reports timeouts as bare text, so the
 *   router adds what the real Invoke API answers: the function-error header,
 *   404 ResourceNotFoundException, Event (202) and DryRun (204) invocation
 *   types, qualifiers, the payload limits, `LogType: Tail`.
 *
 * Run by src/stack/endpoint.ts; configured by environment (ROUTER_*, MOTO_PORT).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startEventSourceMappings } from '../esm/index.ts';
import { chooseCodeRoot, codeDirOf as codeDirUnder, pruneCode, unpack } from './code-dir.ts';
import {
  apiErrorBody,
  awsServiceOf,
  type FunctionRef,
  functionArn,
  functionErrorBody,
  isFunctionError,
  logTail,
  MAX_ASYNC_PAYLOAD,
  MAX_SYNC_PAYLOAD,
  MOTO_TOKEN_HEADER,
  parseFunctionRef,
  refusal,
} from './protocol.ts';
import { launchCommand, parsePythonRuntimes, requestRefusal, runnableRuntimes } from './runtimes.ts';
import { type FauxqsFilters, type FauxqsStores, SnsMetrics } from './sns-metrics.ts';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

const config = {
  port: positive('ROUTER_PORT', 4566),
  host: process.env.ROUTER_HOST ?? '127.0.0.1',
  motoPort: positive('MOTO_PORT', 4567),
  runDir: process.env.ROUTER_RUN_DIR ?? join(process.cwd(), '.stack'),
  rie: process.env.ROUTER_RIE_BIN ?? 'aws-lambda-rie',
  runtime: process.env.ROUTER_RUNTIME ?? join(dirname(fileURLToPath(import.meta.url)), 'runtime.ts'),
  runtimeClient: process.env.ROUTER_RUNTIME_CLIENT ?? 'builtin',
  /** The Python runtimes installed in the cache (src/stack/endpoint.ts); other python3.N are refused. */
  pythonRuntimes: parsePythonRuntimes(process.env.ROUTER_PYTHON_RUNTIMES),
  maxConcurrency: Math.floor(positive('LAMBDA_MAX_CONCURRENCY', 2)),
  maxQueue: Math.floor(positive('LAMBDA_MAX_QUEUE', 1000)),
  idleMs: positive('LAMBDA_IDLE_TIMEOUT_SECONDS', 300) * 1000,
  region: process.env.AWS_REGION || 'us-east-1',
  // The account moto is started with (src/stack/aws.ts) and fauxqs's fixed one.
  accountId: process.env.MOTO_ACCOUNT_ID || '000000000000',
  /** fauxqs's module entry (installed in the cache by src/stack/endpoint.ts); unset: SNS/SQS go to moto. */
  messagingEntry: process.env.ROUTER_MESSAGING_ENTRY || undefined,
  /** The token moto's guard asks for (src/stack/aws.ts), sent with every call to moto. */
  motoToken: process.env.ROUTER_MOTO_TOKEN || undefined,
};

/** Headers every call to moto carries: its guard's token, when it has one. */
const motoHeaders = (): Record<string, string> =>
  config.motoToken ? { [MOTO_TOKEN_HEADER]: config.motoToken } : {};

/** Requests served, by AWS service (`lambda:invoke` for Invoke): `/_stack/health` reports them. */
const requestCounts: Record<string, number> = {};
const count = (name: string) => {
  requestCounts[name] = (requestCounts[name] ?? 0) + 1;
};

/** What serves SNS and SQS here: fauxqs's Fastify app, or moto when it is not installed. */
interface Messaging {
  routing(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<unknown>;
}
let messaging: Messaging | undefined;
/** SNS's own CloudWatch metrics (AWS/SNS), recorded while fauxqs serves SNS. */
let snsMetrics: SnsMetrics | undefined;

async function loadMessaging(): Promise<void> {
  if (!config.messagingEntry) return;
  const module = (path: string) => import(pathToFileURL(join(dirname(config.messagingEntry!), path)).href);
  const fauxqs = (await module('app.js')) as {
    buildApp(options: {
      logger: boolean;
      defaultRegion: string;
      stores: { sqsStore: unknown; snsStore: unknown; s3Store: unknown };
    }): Messaging & { ready(): Promise<unknown> };
  };
  const { SqsStore } = (await module('sqs/sqsStore.js')) as { SqsStore: new () => { host: string } };
  const { SnsStore } = (await module('sns/snsStore.js')) as { SnsStore: new () => unknown };
  const { S3Store } = (await module('s3/s3Store.js')) as { S3Store: new () => unknown };
  const filters = (await module('sns/filter.js')) as FauxqsFilters;
  const sqsStore = new SqsStore();
  // Queue URLs name the endpoint the client called (http://127.0.0.1:4566/000000000000/q), as moto's
  // did, instead of fauxqs's default sqs.<region>.localhost, which not every resolver knows.
  sqsStore.host = '';
  const snsStore = new SnsStore() as FauxqsStores['snsStore'] & { spy?: unknown };
  snsMetrics = new SnsMetrics(
    {
      put: async (region, body) => {
        const answer = await askMoto('POST', '/', monitoringScope(region), body);
        if (answer.status !== 200) throw new Error(`moto answered ${answer.status}: ${answer.body}`);
      },
      log,
    },
    config.region,
  );
  snsStore.spy = snsMetrics.spy(
    { snsStore, sqsStore: sqsStore as unknown as FauxqsStores['sqsStore'] },
    filters,
  );
  const app = fauxqs.buildApp({
    logger: false,
    defaultRegion: config.region,
    stores: { sqsStore, snsStore, s3Store: new S3Store() },
  });
  await app.ready();
  messaging = app;
}

const functionsDir = join(config.runDir, 'lambda', 'functions');
const registryFile = join(config.runDir, 'lambda', 'registry.json');
/** Where function code is unpacked: outside any package, as /var/task is (see code-dir.ts). */
const codeRoot = chooseCodeRoot(process.env.ROUTER_CODE_DIR || undefined, config.runDir);
const codeDirOf = (name: string, codeSha256: string) => codeDirUnder(codeRoot.dir, name, codeSha256);
/** Everything unpacked for function `name` (all its code versions). */
const removeCode = (name: string) => {
  rmSync(join(codeRoot.dir, name), { recursive: true, force: true });
  // Unpacked under the run directory by earlier versions of this endpoint.
  rmSync(join(functionsDir, name), { recursive: true, force: true });
};

/** What the router needs to run one function version. */
interface FunctionDef {
  name: string;
  arn: string;
  version: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  codeSha256: string;
  codeDir: string;
}

interface Instance {
  process?: ChildProcess;
  port: number;
  busy: boolean;
  lastUsed: number;
  log: string[];
}

interface Pool {
  key: string;
  def: FunctionDef;
  instances: Instance[];
  waiting: Array<{ resolve: (instance: Instance) => void; reject: (error: unknown) => void }>;
}

class Throttled extends Error {}

/** $LATEST of every function, by name. */
const registry = new Map<string, FunctionDef>();
/** Warm execution environments, by `name:version`. */
const pools = new Map<string, Pool>();

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
}

function loadRegistry(): void {
  log('function code unpacked under', { ...codeRoot });
  if (existsSync(registryFile)) {
    try {
      for (const def of JSON.parse(readFileSync(registryFile, 'utf8')) as FunctionDef[]) {
        if (existsSync(def.codeDir)) registry.set(def.name, { ...def, version: '$LATEST' });
      }
    } catch (error) {
      log('registry unreadable, starting empty', { file: registryFile, error: String(error) });
    }
  }
  const pruned = pruneCode(codeRoot.dir, new Set(registry.keys()));
  if (pruned.length) log('removed the code of functions no longer registered', { names: pruned });
}

function saveRegistry(): void {
  mkdirSync(dirname(registryFile), { recursive: true });
  const temporary = `${registryFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify([...registry.values()], null, 2));
  renameSync(temporary, registryFile);
}

function readBody(req: IncomingMessage, limit = 96 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () =>
      size > limit
        ? reject(new Error(`request body over ${limit} bytes`))
        : resolveBody(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function apiError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  sendJson(res, status, apiErrorBody(message, extra), {
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
}

interface Upstream {
  status: number;
  body: Buffer;
}

/** Stream a request to moto unchanged (headers kept), or send a body we already read and keep the answer. */
function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<Upstream> {
  return new Promise((resolveForward, reject) => {
    // The Host header stays: moto builds URLs from it (SQS QueueUrl, SNS links), and
    // they must point at this endpoint, not at moto's internal port.
    const headers = { ...req.headers, ...motoHeaders() };
    if (body) {
      headers['content-length'] = String(body.length);
      delete headers['transfer-encoding'];
    }
    const upstream = request(
      { host: config.host, port: config.motoPort, method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        if (!body) {
          up.pipe(res);
          up.on('end', () => resolveForward({ status: up.statusCode ?? 502, body: Buffer.alloc(0) }));
          up.on('error', reject);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          res.write(chunk);
        });
        up.on('end', () => {
          res.end();
          resolveForward({ status: up.statusCode ?? 502, body: Buffer.concat(chunks) });
        });
        up.on('error', reject);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) apiError(res, 502, 'ServiceException', `moto unreachable: ${error.message}`);
      reject(error);
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  });
}

/** The SigV4 credential scope moto reads CloudWatch's region from. */
const monitoringScope = (region: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/monitoring/aws4_request, SignedHeaders=host, Signature=0`;

/** A call of our own to moto (not on behalf of a response we stream); a `body` is sent as a form. */
function askMoto(method: string, path: string, authorization?: string, body?: string): Promise<Upstream> {
  return new Promise((resolveAsk, reject) => {
    const req = request(
      {
        host: config.host,
        port: config.motoPort,
        method,
        path,
        headers: {
          // moto takes the region from the credential scope.
          authorization:
            authorization ??
            `AWS4-HMAC-SHA256 Credential=test/20260101/${config.region}/lambda/aws4_request, SignedHeaders=host, Signature=0`,
          ...motoHeaders(),
          ...(body === undefined
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': String(Buffer.byteLength(body)),
              }),
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolveAsk({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('moto did not answer')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A FunctionConfiguration (moto's answer) → what the router runs. */
function defFromConfiguration(conf: Record<string, unknown>, previous?: FunctionDef): FunctionDef {
  const name = String(conf.FunctionName ?? previous?.name);
  const codeSha256 = String(conf.CodeSha256 ?? previous?.codeSha256 ?? '');
  const environment =
    (conf.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
  return {
    name,
    arn: String(conf.FunctionArn ?? previous?.arn ?? functionArn(config.region, config.accountId, { name })),
    version: String(conf.Version ?? '$LATEST'),
    handler: String(conf.Handler ?? previous?.handler ?? 'index.handler'),
    runtime: String(conf.Runtime ?? previous?.runtime ?? 'nodejs22.x'),
    timeout: Number(conf.Timeout ?? previous?.timeout ?? 3),
    memorySize: Number(conf.MemorySize ?? previous?.memorySize ?? 128),
    environment,
    codeSha256,
    codeDir: codeSha256 ? codeDirOf(name, codeSha256) : (previous?.codeDir ?? ''),
  };
}

/** Stop a pool's environments: idle ones now, busy ones when their invocation ends (see {@link release}). */
function retirePool(pool: Pool, replacement?: FunctionDef): void {
  if (pools.get(pool.key) === pool) pools.delete(pool.key);
  for (const instance of pool.instances) if (!instance.busy) instance.process?.kill('SIGKILL');
  for (const waiter of pool.waiting.splice(0)) {
    // Queued invocations start again on the new definition.
    if (replacement) acquire(replacement).then(waiter.resolve, waiter.reject);
    else waiter.reject(new Error(`function ${pool.def.name} was deleted`));
  }
}

/**
 * New code or configuration retires the $LATEST environments (published
 * versions never change); deleting the function retires all of them.
 */
function retire(name: string, deleted = false): void {
  for (const pool of [...pools.values()]) {
    if (pool.def.name !== name || (!deleted && pool.def.version !== '$LATEST')) continue;
    retirePool(pool, deleted ? undefined : registry.get(name));
  }
}

function recordFunction(conf: Record<string, unknown>, zip?: Buffer): void {
  const previous = registry.get(String(conf.FunctionName));
  if (zip) {
    // Lambda's CodeSha256 is the base64 SHA-256 of the zip; moto reports the same.
    conf.CodeSha256 ??= createHash('sha256').update(zip).digest('base64');
    unpack(zip, codeDirOf(String(conf.FunctionName), String(conf.CodeSha256)));
  }
  const def = defFromConfiguration(conf, previous);
  def.version = '$LATEST';
  if (!existsSync(def.codeDir) && previous) def.codeDir = previous.codeDir;
  registry.set(def.name, def);
  saveRegistry();
  retire(def.name);
  log('function recorded', { name: def.name, codeSha256: def.codeSha256, handler: def.handler });
}

async function handleControlPlane(
  req: IncomingMessage,
  res: ServerResponse,
  kind: 'create' | 'code' | 'configuration' | 'delete',
  name?: string,
): Promise<void> {
  const body = await readBody(req);
  // A runtime this endpoint cannot run is refused before moto records it, as AWS refuses one it
  // does not support, rather than accepted and failing at every Invoke.
  const refusedRuntime =
    kind === 'create' || kind === 'configuration' ? requestRefusal(body, config.pythonRuntimes) : undefined;
  if (refusedRuntime) {
    apiError(res, 400, 'InvalidParameterValueException', refusedRuntime);
    return;
  }
  const { status, body: answer } = await forward(req, res, body);
  if (status < 200 || status >= 300) return;
  if (kind === 'delete' && name) {
    // DeleteFunction with a Qualifier deletes one version only.
    if (new URL(req.url ?? '/', 'http://x').searchParams.get('Qualifier')) return;
    registry.delete(name);
    saveRegistry();
    retire(name, true);
    removeCode(name);
    log('function deleted', { name });
    return;
  }
  let sent: Record<string, unknown>;
  let conf: Record<string, unknown>;
  try {
    sent = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    conf = answer.length ? (JSON.parse(answer.toString('utf8')) as Record<string, unknown>) : {};
  } catch (error) {
    log('could not read a control-plane call', { kind, error: String(error) });
    return;
  }
  const zipBase64 =
    kind === 'create'
      ? (sent.Code as { ZipFile?: string } | undefined)?.ZipFile
      : kind === 'code'
        ? (sent.ZipFile as string | undefined)
        : undefined;
  if ((kind === 'create' || kind === 'code') && !zipBase64) {
    log('function code not given as ZipFile (S3 and images are not supported): Invoke cannot run it', {
      name: conf.FunctionName,
    });
  }
  try {
    recordFunction(conf, zipBase64 ? Buffer.from(zipBase64, 'base64') : undefined);
  } catch (error) {
    log('could not record the function', { name: conf.FunctionName, error: String(error) });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, config.host, () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ host: config.host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`RIE exited (${child.exitCode ?? child.signalCode}) before listening`);
    }
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  throw new Error('RIE did not start listening');
}

/** The process environment of a function, as Lambda sets it (plus this endpoint for the SDK). */
function functionEnvironment(
  def: FunctionDef,
  rapidPort: number,
  runtimeEnvironment: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    // The stack's test credentials, never the launching shell's: a function (or a dependency it
    // pulls in) must not see real keys it could take elsewhere. No session token, as for test keys.
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: `http://${config.host}:${config.port}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${def.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: def.name,
    AWS_LAMBDA_FUNCTION_VERSION: def.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(def.timeout),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${def.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[${def.version}]${rapidPort}`,
    LAMBDA_TASK_ROOT: def.codeDir,
    LAMBDA_RUNTIME_DIR: dirname(config.runtime),
    _HANDLER: def.handler,
    // The runtime's own (Python: PYTHONPATH, LAMBDA_RUNTIME_DIR, its bin first on PATH).
    ...runtimeEnvironment,
    // The function's own variables win, as on AWS (including AWS_ENDPOINT_URL).
    ...def.environment,
  };
}

async function startInstance(pool: Pool, instance: Instance): Promise<void> {
  const { def } = pool;
  const launch = launchCommand(
    def,
    { execPath: process.execPath, client: config.runtime },
    config.pythonRuntimes,
    process.env.PATH,
  );
  const [rapidPort, runtimePort] = [await freePort(), await freePort()];
  const child = spawn(
    config.rie,
    [
      '--log-level',
      'error',
      '--runtime-interface-emulator-address',
      `${config.host}:${rapidPort}`,
      '--runtime-api-address',
      `${config.host}:${runtimePort}`,
      ...launch.argv,
    ],
    {
      cwd: def.codeDir,
      env: functionEnvironment(def, rapidPort, launch.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  instance.process = child;
  instance.port = rapidPort;
  const logFile = join(functionsDir, `${def.name}.log`);
  // Nothing else makes this folder since code is unpacked outside the run directory (code-dir.ts).
  mkdirSync(functionsDir, { recursive: true });
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
    pool.instances = pool.instances.filter((other) => other !== instance);
    log('execution environment stopped', { name: def.name, version: def.version, code, signal });
  });
  await waitForPort(rapidPort, child);
  log('execution environment started', { name: def.name, version: def.version, port: rapidPort });
}

/** What makes two definitions run the same environment. */
const fingerprint = (def: FunctionDef) =>
  JSON.stringify([def.codeDir, def.handler, def.runtime, def.timeout, def.memorySize, def.environment]);

const alive = (instance: Instance) =>
  instance.process !== undefined &&
  instance.process.exitCode === null &&
  instance.process.signalCode === null;

/** An execution environment for `def`: a warm idle one, a new one (cold start), or the next one freed. */
async function acquire(wanted: FunctionDef): Promise<Instance> {
  // $LATEST always runs what is recorded now, even for a request that resolved it before an update.
  const def = wanted.version === '$LATEST' ? (registry.get(wanted.name) ?? wanted) : wanted;
  const key = `${def.name}:${def.version}`;
  let pool = pools.get(key);
  if (!pool || fingerprint(pool.def) !== fingerprint(def)) {
    if (pool) retirePool(pool, def);
    pool = { key, def, instances: [], waiting: [] };
    pools.set(key, pool);
  }
  const idle = pool.instances.find((instance) => !instance.busy && alive(instance));
  if (idle) {
    idle.busy = true;
    return idle;
  }
  if (pool.instances.length < config.maxConcurrency) {
    const instance: Instance = { port: 0, busy: true, lastUsed: Date.now(), log: [] };
    pool.instances.push(instance);
    try {
      await startInstance(pool, instance);
      return instance;
    } catch (error) {
      pool.instances = pool.instances.filter((other) => other !== instance);
      instance.process?.kill('SIGKILL');
      throw error;
    }
  }
  if (pool.waiting.length >= config.maxQueue) throw new Throttled('Rate Exceeded.');
  const current = pool;
  return new Promise((resolveWait, reject) => current.waiting.push({ resolve: resolveWait, reject }));
}

function release(def: FunctionDef, instance: Instance): void {
  instance.lastUsed = Date.now();
  const pool = pools.get(`${def.name}:${def.version}`);
  if (!pool?.instances.includes(instance) || !alive(instance)) {
    // Retired (new code or configuration) or crashed: this environment is done.
    instance.process?.kill('SIGKILL');
    const waiter = pool?.waiting.shift();
    if (waiter && pool) acquire(pool.def).then(waiter.resolve, waiter.reject);
    return;
  }
  const waiter = pool.waiting.shift();
  if (waiter) waiter.resolve(instance);
  else instance.busy = false;
}

/** Stop environments nobody used for `idleMs`, as Lambda recycles idle ones. */
function reapIdle(): void {
  const now = Date.now();
  for (const pool of pools.values()) {
    for (const instance of pool.instances) {
      if (!instance.busy && now - instance.lastUsed > config.idleMs) {
        pool.instances = pool.instances.filter((other) => other !== instance);
        instance.process?.kill('SIGKILL');
      }
    }
  }
}

function callRie(
  instance: Instance,
  payload: Buffer,
  requestId: string,
  timeoutMs: number,
  forwarded: Record<string, string>,
): Promise<Upstream> {
  return new Promise((resolveCall, reject) => {
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
          ...forwarded,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolveCall({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the execution environment did not answer')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The function definition an invocation runs: $LATEST from the registry, or a version/alias moto knows. */
async function resolveTarget(
  ref: FunctionRef,
  authorization: string | undefined,
): Promise<FunctionDef | undefined> {
  const latest = registry.get(ref.name);
  if (!latest) return undefined;
  if (ref.qualifier === undefined || ref.qualifier === '$LATEST') return latest;
  const answer = await askMoto(
    'GET',
    `/2015-03-31/functions/${encodeURIComponent(ref.name)}?Qualifier=${encodeURIComponent(ref.qualifier)}`,
    authorization,
  );
  if (answer.status === 404) return undefined;
  if (answer.status !== 200)
    throw new Error(`moto answered ${answer.status} for ${ref.name}:${ref.qualifier}`);
  const conf = (JSON.parse(answer.body.toString('utf8')) as { Configuration?: Record<string, unknown> })
    .Configuration;
  if (!conf) return undefined;
  const def = defFromConfiguration(conf, latest);
  if (def.version === '$LATEST') return latest;
  // A published version runs the code it was published with, if this router saw that code.
  if (!existsSync(def.codeDir)) def.codeDir = latest.codeDir;
  return def;
}

async function handleInvoke(
  req: IncomingMessage,
  res: ServerResponse,
  rawName: string,
  query: URLSearchParams,
): Promise<void> {
  const ref = parseFunctionRef(rawName, query.get('Qualifier'));
  const payload = await readBody(req);
  const def = await resolveTarget(ref, req.headers.authorization);
  if (!def) {
    apiError(
      res,
      404,
      'ResourceNotFoundException',
      `Function not found: ${functionArn(config.region, config.accountId, ref)}`,
    );
    return;
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
    apiError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type: ${type}`);
    return;
  }
  const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (payload.length > limit) {
    apiError(
      res,
      413,
      'RequestEntityTooLargeException',
      `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'InvokeAsync' : 'InvokeFunction'} operation`,
    );
    return;
  }
  if (payload.length > 0) {
    try {
      JSON.parse(payload.toString('utf8'));
    } catch (error) {
      apiError(
        res,
        400,
        'InvalidRequestContentException',
        `Could not parse request body into json: ${(error as Error).message}`,
      );
      return;
    }
  }
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': randomUUID() });
    res.end();
    return;
  }
  const forwarded: Record<string, string> = {};
  for (const name of ['x-amz-client-context', 'x-amzn-trace-id']) {
    const value = req.headers[name];
    if (typeof value === 'string') forwarded[name] = value;
  }
  const requestId = randomUUID();
  const run = async () => {
    const instance = await acquire(def);
    instance.log = [];
    try {
      const answer = await callRie(
        instance,
        payload.length ? payload : Buffer.from('{}'),
        requestId,
        (def.timeout + 10) * 1000,
        forwarded,
      );
      return { answer, logs: instance.log.join('') };
    } finally {
      release(def, instance);
    }
  };
  if (type === 'Event') {
    res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': '0' });
    res.end();
    run().then(
      ({ answer }) => {
        if (isFunctionError(answer.body, answer.status)) {
          log('async invocation failed', { name: def.name, requestId, error: answer.body.toString('utf8') });
        }
      },
      (error: unknown) => log('async invocation failed', { name: def.name, requestId, error: String(error) }),
    );
    return;
  }
  const started = performance.now();
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run();
  } catch (error) {
    if (error instanceof Throttled) {
      apiError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    } else {
      apiError(res, 502, 'ServiceException', `execution environment failed: ${(error as Error).message}`);
    }
    return;
  }
  const { answer, logs } = outcome;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': def.version,
  };
  let body: Uint8Array = answer.body;
  if (isFunctionError(body, answer.status)) {
    headers['x-amz-function-error'] = 'Unhandled';
    body = functionErrorBody(body, requestId);
  }
  if (req.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = logTail(logs);
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(body);
  log('invoke', {
    name: def.name,
    version: def.version,
    requestId,
    ms: Math.round(performance.now() - started),
    ...(headers['x-amz-function-error'] ? { error: headers['x-amz-function-error'] } : {}),
  });
}

/** Forget functions moto no longer knows (moto keeps its state in memory only). */
async function reconcile(): Promise<void> {
  let changed = false;
  for (const def of [...registry.values()]) {
    const region = def.arn.split(':')[3] || config.region;
    try {
      const answer = await askMoto(
        'GET',
        `/2015-03-31/functions/${encodeURIComponent(def.name)}`,
        `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/lambda/aws4_request, SignedHeaders=host, Signature=0`,
      );
      if (answer.status !== 404) continue;
    } catch {
      return; // moto is not there: keep everything
    }
    registry.delete(def.name);
    removeCode(def.name);
    changed = true;
    log('forgot a function moto does not know', { name: def.name });
  }
  if (changed) saveRegistry();
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const functionPath = /^\/2015-03-31\/functions\/([^/]+)(\/code|\/configuration)?\/?$/;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const refused = refusal(req.headers, path);
  if (refused) {
    log('refused a request', { method: req.method, path, reason: refused });
    apiError(res, 403, 'AccessDeniedException', `the local AWS endpoint refuses this request: ${refused}`);
    return;
  }
  const service = awsServiceOf(req.headers);
  if (path !== '/_stack/health') count(invokePath.test(path) ? 'lambda:invoke' : (service ?? 'unsigned'));
  if (messaging && (service === 'sns' || service === 'sqs')) {
    messaging.routing(req, res);
    return;
  }
  let work: Promise<unknown>;
  const invoke = invokePath.exec(path);
  const fn = functionPath.exec(path);
  const nameOf = (segment: string | undefined) => parseFunctionRef(segment ?? '').name;
  // A CloudWatch read sees every SNS message published before it: pending SNS metrics go first. A
  // write (a function's PutMetricData, on its hot path) needs no flush and does not wait for one.
  const metricsWrite = String(req.headers['x-amz-target'] ?? '').endsWith('.PutMetricData');
  if (service === 'monitoring' && snsMetrics && !metricsWrite)
    work = snsMetrics.flush().then(() => forward(req, res));
  else if (invoke && req.method === 'POST') work = handleInvoke(req, res, invoke[1] ?? '', url.searchParams);
  else if (/^\/2015-03-31\/functions\/?$/.test(path) && req.method === 'POST')
    work = handleControlPlane(req, res, 'create');
  else if (fn && fn[2] === '/code' && req.method === 'PUT')
    work = handleControlPlane(req, res, 'code', nameOf(fn[1]));
  else if (fn && fn[2] === '/configuration' && req.method === 'PUT')
    work = handleControlPlane(req, res, 'configuration', nameOf(fn[1]));
  else if (fn && !fn[2] && req.method === 'DELETE')
    work = handleControlPlane(req, res, 'delete', nameOf(fn[1]));
  else if (esm.owns(path)) work = esm.handle(req, res, url);
  else if (path === '/_stack/health') {
    sendJson(
      res,
      200,
      JSON.stringify({
        status: 'ok',
        // Where this endpoint writes its logs: `logs` and `stack logs` read them from here, whatever
        // run dir their own installation would default to.
        runDir: resolve(config.runDir),
        runtimeClient: config.runtimeClient,
        runtimes: runnableRuntimes(config.pythonRuntimes),
        messaging: messaging ? 'fauxqs' : 'moto',
        requests: requestCounts,
        functions: [...registry.keys()],
        warm: Object.fromEntries([...pools.values()].map((pool) => [pool.key, pool.instances.length])),
      }),
    );
    return;
  } else work = forward(req, res);
  work.catch((error: unknown) => {
    log('request failed', { method: req.method, path, error: String(error) });
    if (!res.headersSent) apiError(res, 500, 'ServiceException', String(error));
    else res.destroy();
  });
});

async function shutdown(): Promise<void> {
  // Pollers first, while functions still run: they finish and commit what is in flight.
  await esm
    .close()
    .catch((error: unknown) => log('event source mappings did not stop', { error: String(error) }));
  for (const pool of pools.values()) for (const instance of pool.instances) instance.process?.kill('SIGKILL');
  pools.clear();
  await snsMetrics?.close().catch(() => undefined);
  messaging?.close().catch(() => undefined);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
loadRegistry();
const esm = startEventSourceMappings({
  runDir: config.runDir,
  region: config.region,
  accountId: config.accountId,
  endpoint: `http://${config.host}:${config.port}`,
  routerUrl: import.meta.url,
  functionExists: (name) => registry.has(name),
  functionResolves: async (ref) => (await resolveTarget(ref, undefined)) !== undefined,
  forward,
  askMoto,
  readBody,
  log,
});
setInterval(reapIdle, Math.min(30_000, config.idleMs / 2)).unref();
server.keepAliveTimeout = 65_000;
await loadMessaging();
server.listen(config.port, config.host, () => {
  log('listening', {
    host: config.host,
    port: config.port,
    runtimeClient: config.runtimeClient,
    messaging: messaging ? 'fauxqs' : 'moto',
    functions: registry.size,
  });
  reconcile().catch((error: unknown) => log('reconcile failed', { error: String(error) }));
});
