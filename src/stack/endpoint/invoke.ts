/**
 * Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations) on top
 * of the environment pool. RIE serves a single function, answers function
 * errors with HTTP 200 and no X-Amz-Function-Error header, and reports
 * timeouts as bare text, so this adds what the real Invoke API answers: the
 * function-error header, 404 ResourceNotFoundException, Event (202) and DryRun
 * (204) invocation types, qualifiers, the payload limits, `LogType: Tail`,
 * 429 TooManyRequestsException when the queue is full.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exitsWithin, invokeEnvironment } from './environment.ts';
import { apiError, readBody } from './http.ts';
import type { EndpointLog } from './log.ts';
import type { MotoClient } from './moto.ts';
import { type EnvironmentPool, Stopping, Throttled } from './pool.ts';
import {
  type FunctionRef,
  functionArn,
  functionErrorBody,
  isFunctionError,
  logTail,
  MAX_ASYNC_PAYLOAD,
  MAX_SYNC_PAYLOAD,
  parseFunctionRef,
} from './protocol.ts';
import type { FunctionDef, FunctionRegistry } from './registry.ts';

/** What the Invoke API works with. */
export interface InvokeDeps {
  registry: FunctionRegistry;
  pool: EnvironmentPool;
  moto: MotoClient;
  /** Where the execution environments listen. */
  host: string;
  region: string;
  accountId: string;
  log: EndpointLog;
}

/** How long an empty answer waits to see whether its environment is exiting (see handleInvoke). */
const EMPTY_ANSWER_EXIT_MS = 250;

const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);

/** The function definition an invocation runs: $LATEST from the registry, or a version/alias moto knows. */
export async function resolveTarget(
  deps: Pick<InvokeDeps, 'registry' | 'moto'>,
  ref: FunctionRef,
  authorization: string | undefined,
): Promise<FunctionDef | undefined> {
  const latest = deps.registry.get(ref.name);
  if (!latest) return undefined;
  if (ref.qualifier === undefined || ref.qualifier === '$LATEST') return latest;
  const answer = await deps.moto.ask(
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
  const def = deps.registry.fromConfiguration(conf, latest);
  if (def.version === '$LATEST') return latest;
  // A published version runs the code it was published with, if this endpoint saw that code.
  if (!existsSync(def.codeDir)) def.codeDir = latest.codeDir;
  return def;
}

/** True when the invocation is refused (and answered as AWS does): its type, its size, or a payload that is not JSON. */
function refuse(res: ServerResponse, type: string, payload: Buffer): boolean {
  if (!INVOCATION_TYPES.has(type)) {
    apiError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type: ${type}`);
    return true;
  }
  const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (payload.length > limit) {
    apiError(
      res,
      413,
      'RequestEntityTooLargeException',
      `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'InvokeAsync' : 'InvokeFunction'} operation`,
    );
    return true;
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
      return true;
    }
  }
  return false;
}

/** Serve one Invoke request for the `{FunctionName}` segment `rawName`. */
export async function handleInvoke(
  deps: InvokeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  rawName: string,
  query: URLSearchParams,
): Promise<void> {
  const { pool, log } = deps;
  const ref = parseFunctionRef(rawName, query.get('Qualifier'));
  const payload = await readBody(req);
  const def = await resolveTarget(deps, ref, req.headers.authorization);
  if (!def) {
    apiError(
      res,
      404,
      'ResourceNotFoundException',
      `Function not found: ${functionArn(deps.region, deps.accountId, ref)}`,
    );
    return;
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (refuse(res, type, payload)) return;
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
  // Checked before an Event invocation is accepted (202): one the endpoint cannot run would be lost.
  if (pool.stopping) {
    apiError(res, 503, 'ServiceException', new Stopping().message);
    return;
  }
  const requestId = randomUUID();
  const run = async () => {
    const instance = await pool.acquire(def);
    instance.log = [];
    try {
      const answer = await invokeEnvironment(
        deps.host,
        instance,
        payload.length ? payload : Buffer.from('{}'),
        requestId,
        (def.timeout + 10) * 1000,
        forwarded,
      );
      // Runtime clients answer even `undefined` with a body ("null"). RIE answers empty when a
      // signal reset it mid-invocation, just before it exits: the function did not finish, and
      // Lambda's callers would read the empty answer as a success (a whole batch committed).
      if (
        answer.status === 200 &&
        answer.body.length === 0 &&
        (await exitsWithin(instance, EMPTY_ANSWER_EXIT_MS))
      )
        throw new Error('the execution environment stopped during the invocation');
      return { answer, logs: instance.log.join('') };
    } finally {
      pool.release(def, instance);
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
    } else if (error instanceof Stopping) {
      apiError(res, 503, 'ServiceException', error.message);
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
