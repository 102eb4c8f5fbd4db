/**
 * Small HTTP helpers of the endpoint: reading a request body with a cap,
 * answering JSON or an AWS API error the way Lambda's REST API does
 * (`x-amzn-ErrorType` header, `{Type, message}` body), and a call of its own
 * (to moto, to an execution environment) read whole.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type RequestOptions, request, type ServerResponse } from 'node:http';
import { apiErrorBody } from './protocol.ts';

/** Largest request body the endpoint reads (a CreateFunction zip in base64 is the biggest). */
export const MAX_REQUEST_BODY = 96 * 1024 * 1024;

/** The whole body of `req`; rejects when it is over `limit` bytes (read to the end all the same). */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY): Promise<Buffer> {
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

/** Answer `body` (JSON text) with its length. */
export function sendJson(
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

/** Answer an AWS API error of `type` (e.g. `ResourceNotFoundException`), with a request id. */
export function apiError(
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

/** An answer read whole. */
export interface Upstream {
  status: number;
  body: Buffer;
}

/**
 * Send `body` with `options` (which must set `timeout`) and read the whole answer; a request
 * not answered within the timeout fails with `timeoutMessage`.
 */
export function call(
  options: RequestOptions & { timeout: number },
  body: string | Buffer | undefined,
  timeoutMessage: string,
): Promise<Upstream> {
  return new Promise((resolveCall, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolveCall({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(timeoutMessage)));
    req.on('error', reject);
    req.end(body);
  });
}
