/**
 * A Lambda Runtime API client for Node.js: the bootstrap that AWS's Runtime
 * Interface Emulator starts as `node runtime.ts <handler>`. It implements the
 * documented Runtime API (GET next, POST response / error, POST init/error)
 * the way the managed Node.js runtime behaves: `file.export` handlers loaded
 * from LAMBDA_TASK_ROOT (ESM or CommonJS), async and callback handlers, the
 * context object, and console lines tagged with the request id.
 *
 * The stack runs AWS's own client (`aws-lambda-ric`) when it could be built
 * (see src/stack/endpoint.ts); this one is the fallback and the choice with
 * `LAMBDA_RUNTIME_CLIENT=builtin`: plain Node, nothing to build. Unlike
 * aws-lambda-ric 4 (the Node.js 24 runtime's client), it still runs
 * callback-style handlers, as the nodejs22.x runtime does.
 */
import { existsSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

type Handler = (
  event: unknown,
  context: LambdaContext,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

interface LambdaContext {
  awsRequestId: string;
  invokedFunctionArn: string;
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const [apiHost = '127.0.0.1', apiPort = '9001'] = (api ?? '').split(':');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function call(
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    // No timeout: GET /next long-polls until an invocation arrives.
    const req = request(
      { host: apiHost, port: Number(apiPort), method, path: `/2018-06-01${path}`, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  // What the managed runtime reports for a thrown non-Error: its typeof, and its text.
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function postError(path: string, error: unknown): Promise<unknown> {
  const payload = errorPayload(error);
  return call('POST', path, JSON.stringify(payload), {
    'content-type': 'application/json',
    'lambda-runtime-function-error-type': payload.errorType,
  });
}

/**
 * `dir/file.export` (or `file.nested.export`) → the function, as the managed
 * runtime resolves it: the module is everything up to the first dot after the
 * last slash, tried as it is, then as .js, .mjs and .cjs under LAMBDA_TASK_ROOT
 * (aws-lambda-ric's order). Whether a `.js` file is CommonJS or an ES module
 * is Node's to decide from the nearest package.json, as on AWS: the endpoint
 * unpacks code where no package.json above it applies (code-dir.ts).
 */
async function loadHandler(spec: string): Promise<Handler> {
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const slash = spec.lastIndexOf('/');
  const dot = spec.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === spec.length - 1) {
    throw Object.assign(new Error(`Bad handler ${spec}: expected file.export`), {
      name: 'Runtime.MalformedHandlerName',
    });
  }
  const modulePath = spec.slice(0, dot);
  const exportPath = spec.slice(dot + 1).split('.');
  const candidates = ['', '.js', '.mjs', '.cjs'].map((ext) => join(root, modulePath + ext));
  const file = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${modulePath}'`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  let loaded: unknown;
  try {
    loaded = file.endsWith('.cjs') ? createRequire(file)(file) : await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) throw Object.assign(error, { name: 'Runtime.UserCodeSyntaxError' });
    throw error;
  }
  const find = (from: unknown) =>
    exportPath.reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      from,
    );
  const candidate = find(loaded) ?? find((loaded as { default?: unknown }).default);
  if (typeof candidate !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return candidate as Handler;
}

// Console lines look like the managed runtime's: time, request id, level, message.
let currentRequestId = 'undefined';
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
] as const) {
  console[method] = (...args: unknown[]) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}\n`);
  };
}

function invokeHandler(handler: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: unknown, result?: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    try {
      const returned = handler(event, context, done);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(
          (result) => done(null, result),
          (error: unknown) => done(error ?? new Error('rejected')),
        );
      } else if (handler.length < 3) {
        done(null, returned);
      }
    } catch (error) {
      done(error);
    }
  });
}

async function main(): Promise<void> {
  if (!api)
    throw new Error(
      'AWS_LAMBDA_RUNTIME_API is not set: this runs inside the Lambda Runtime Interface Emulator',
    );
  const spec = process.argv[2] ?? process.env._HANDLER ?? '';
  let handler: Handler;
  try {
    handler = await loadHandler(spec);
  } catch (error) {
    console.error('init error', error);
    await postError('/runtime/init/error', error);
    process.exit(1);
  }
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  for (;;) {
    const next = await call('GET', '/runtime/invocation/next');
    const header = (name: string) => {
      const value = next.headers[name];
      return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
    };
    const requestId = header('lambda-runtime-aws-request-id');
    const deadline = Number(header('lambda-runtime-deadline-ms')) || Date.now() + 300_000;
    const traceId = header('lambda-runtime-trace-id');
    if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    currentRequestId = requestId;
    const context: LambdaContext = {
      awsRequestId: requestId,
      invokedFunctionArn: header('lambda-runtime-invoked-function-arn'),
      functionName,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${functionName}`,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const event = next.body === '' ? {} : JSON.parse(next.body);
      const result = await invokeHandler(handler, event, context);
      await call('POST', `/runtime/invocation/${requestId}/response`, JSON.stringify(result ?? null), {
        'content-type': 'application/json',
      });
    } catch (error) {
      console.error('Invoke Error', JSON.stringify(errorPayload(error)));
      await postError(`/runtime/invocation/${requestId}/error`, error);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`runtime client failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
