/**
 * Which part of the endpoint serves a request: SNS and SQS (fauxqs, told
 * apart by X-Amz-Target and the SigV4 credential scope, see protocol.ts),
 * CloudWatch reads (after the pending SNS metrics), Lambda's Invoke API and
 * control plane, the event source mapping API, the stack's health, or moto
 * (IAM, STS, CloudWatch writes, the rest of Lambda's API) for everything else.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isEsmPath } from '../esm/api.ts';
import type { ControlPlaneCall } from './control-plane.ts';
import { awsServiceOf, parseFunctionRef } from './protocol.ts';

/** Where a request goes. */
export type Route =
  | { kind: 'messaging' }
  | { kind: 'metrics-read' }
  | { kind: 'invoke'; rawName: string }
  | { kind: 'control-plane'; call: ControlPlaneCall; name?: string }
  | { kind: 'esm' }
  | { kind: 'health' }
  | { kind: 'moto' };

/** Which of the optional parts run in this endpoint. */
export interface Serving {
  /** fauxqs serves SNS and SQS (else moto does). */
  messaging: boolean;
  /** SNS metrics are recorded (and must be sent before CloudWatch is read). */
  snsMetrics: boolean;
}

export const HEALTH_PATH = '/_stack/health';
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const FUNCTIONS_PATH = /^\/2015-03-31\/functions\/?$/;
const FUNCTION_PATH = /^\/2015-03-31\/functions\/([^/]+)(\/code|\/configuration)?\/?$/;

/** The route of a request (`path` without the query). */
export function routeOf(
  method: string | undefined,
  path: string,
  headers: IncomingHttpHeaders,
  serving: Serving,
): Route {
  const service = awsServiceOf(headers);
  if (serving.messaging && (service === 'sns' || service === 'sqs')) return { kind: 'messaging' };
  // A CloudWatch read sees every SNS message published before it: pending SNS metrics go first. A
  // write (a function's PutMetricData, on its hot path) needs no flush and does not wait for one.
  const metricsWrite = String(headers['x-amz-target'] ?? '').endsWith('.PutMetricData');
  if (service === 'monitoring' && serving.snsMetrics && !metricsWrite) return { kind: 'metrics-read' };
  const invoke = INVOKE_PATH.exec(path);
  if (invoke && method === 'POST') return { kind: 'invoke', rawName: invoke[1] ?? '' };
  if (FUNCTIONS_PATH.test(path) && method === 'POST') return { kind: 'control-plane', call: 'create' };
  const fn = FUNCTION_PATH.exec(path);
  if (fn) {
    const call =
      fn[2] === '/code' && method === 'PUT'
        ? 'code'
        : fn[2] === '/configuration' && method === 'PUT'
          ? 'configuration'
          : !fn[2] && method === 'DELETE'
            ? 'delete'
            : undefined;
    // Only then: the name is decoded, and a malformed one must not fail a call moto answers.
    if (call) return { kind: 'control-plane', call, name: parseFunctionRef(fn[1] ?? '').name };
  }
  if (isEsmPath(path)) return { kind: 'esm' };
  if (path === HEALTH_PATH) return { kind: 'health' };
  return { kind: 'moto' };
}

/**
 * The name a request is counted under in `/_stack/health`'s `requests`: its AWS service,
 * `lambda:invoke` for an Invoke, `unsigned` without a credential scope; none for the health check.
 */
export function requestCountKey(path: string, headers: IncomingHttpHeaders): string | undefined {
  if (path === HEALTH_PATH) return undefined;
  return INVOKE_PATH.test(path) ? 'lambda:invoke' : (awsServiceOf(headers) ?? 'unsigned');
}
