/**
 * Lambda's control plane as the endpoint sees it: CreateFunction,
 * UpdateFunctionCode, UpdateFunctionConfiguration and DeleteFunction go to
 * moto (the control plane of record); on success the endpoint unpacks the code
 * and records the function (registry.ts), and retires the environments that
 * ran the previous definition. At start, functions moto no longer knows are
 * forgotten (moto keeps its state in memory only).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unpack } from './code-dir.ts';
import { apiError, readBody } from './http.ts';
import type { EndpointLog } from './log.ts';
import { credentialScope, type MotoClient } from './moto.ts';
import type { EnvironmentPool } from './pool.ts';
import type { FunctionRegistry } from './registry.ts';
import { type PythonRuntimes, requestRefusal } from './runtimes.ts';

/** The control-plane calls the endpoint follows. */
export type ControlPlaneCall = 'create' | 'code' | 'configuration' | 'delete';

/** What the control plane works with. */
export interface ControlPlaneDeps {
  registry: FunctionRegistry;
  pool: EnvironmentPool;
  moto: MotoClient;
  pythonRuntimes: PythonRuntimes;
  region: string;
  log: EndpointLog;
}

/** Record moto's FunctionConfiguration `conf` (and the code in `zip`, if any) as the function's $LATEST. */
function recordFunction(deps: ControlPlaneDeps, conf: Record<string, unknown>, zip?: Buffer): void {
  const { registry } = deps;
  const previous = registry.get(String(conf.FunctionName));
  if (zip) {
    // Lambda's CodeSha256 is the base64 SHA-256 of the zip; moto reports the same.
    conf.CodeSha256 ??= createHash('sha256').update(zip).digest('base64');
    unpack(zip, registry.codeDirOf(String(conf.FunctionName), String(conf.CodeSha256)));
  }
  const def = registry.fromConfiguration(conf, previous);
  def.version = '$LATEST';
  if (!existsSync(def.codeDir) && previous) def.codeDir = previous.codeDir;
  registry.record(def);
  deps.pool.retire(def.name);
  deps.log('function recorded', { name: def.name, codeSha256: def.codeSha256, handler: def.handler });
}

/** Pass a control-plane call to moto and, when it succeeded, follow it. */
export async function handleControlPlane(
  deps: ControlPlaneDeps,
  req: IncomingMessage,
  res: ServerResponse,
  kind: ControlPlaneCall,
  name?: string,
): Promise<void> {
  const { log } = deps;
  const body = await readBody(req);
  // A runtime this endpoint cannot run is refused before moto records it, as AWS refuses one it
  // does not support, rather than accepted and failing at every Invoke.
  const refusedRuntime =
    kind === 'create' || kind === 'configuration' ? requestRefusal(body, deps.pythonRuntimes) : undefined;
  if (refusedRuntime) {
    apiError(res, 400, 'InvalidParameterValueException', refusedRuntime);
    return;
  }
  const { status, body: answer } = await deps.moto.forward(req, res, body);
  if (status < 200 || status >= 300) return;
  if (kind === 'delete' && name) {
    // DeleteFunction with a Qualifier deletes one version only.
    if (new URL(req.url ?? '/', 'http://x').searchParams.get('Qualifier')) return;
    deps.pool.retire(name, true);
    deps.registry.forget(name);
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
    recordFunction(deps, conf, zipBase64 ? Buffer.from(zipBase64, 'base64') : undefined);
  } catch (error) {
    log('could not record the function', { name: conf.FunctionName, error: String(error) });
  }
}

/** Forget the functions moto no longer knows; keeps everything when moto does not answer. */
export async function reconcile(
  deps: Pick<ControlPlaneDeps, 'registry' | 'moto' | 'region' | 'log'>,
): Promise<void> {
  const { registry } = deps;
  let changed = false;
  for (const def of registry.all()) {
    const region = def.arn.split(':')[3] || deps.region;
    try {
      const answer = await deps.moto.ask(
        'GET',
        `/2015-03-31/functions/${encodeURIComponent(def.name)}`,
        credentialScope(region, 'lambda'),
      );
      if (answer.status !== 404) continue;
    } catch {
      return; // moto is not there: keep everything
    }
    registry.forget(def.name, false);
    changed = true;
    deps.log('forgot a function moto does not know', { name: def.name });
  }
  if (changed) registry.save();
}
