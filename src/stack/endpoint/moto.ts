/**
 * The endpoint's calls to moto, the control plane of record behind it: a
 * client's request passed through (streamed, or with a body already read), and
 * calls of the endpoint's own (a function's configuration, CloudWatch's
 * PutMetricData of SNS's metrics). Every call carries moto's guard token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { apiError, call, type Upstream } from './http.ts';
import { MOTO_TOKEN_HEADER } from './protocol.ts';

/** Where moto is and how to call it. */
export interface MotoSettings {
  host: string;
  motoPort: number;
  /** The token moto's guard asks for (src/stack/aws.ts); none: moto has no guard. */
  motoToken?: string;
  /** The region of the endpoint's own calls that name none. */
  region: string;
}

/**
 * A SigV4 Authorization header moto reads the region and service from (moto checks no signature):
 * what the endpoint sends for its own calls.
 */
export const credentialScope = (region: string, service: string): string =>
  `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

/** The endpoint's way to moto. */
export interface MotoClient {
  /**
   * Pass a client's request to moto and its answer back: streamed both ways, or, with `body`
   * (already read), sent whole and the answer kept for the caller too.
   */
  forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<Upstream>;
  /** A call of the endpoint's own; a `body` is sent as a form. Lambda's scope in `region` unless `authorization` says otherwise. */
  ask(method: string, path: string, authorization?: string, body?: string): Promise<Upstream>;
}

/** A {@link MotoClient} for moto at `settings`. */
export function createMotoClient(settings: MotoSettings): MotoClient {
  const guard = (): Record<string, string> =>
    settings.motoToken ? { [MOTO_TOKEN_HEADER]: settings.motoToken } : {};

  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<Upstream> =>
    new Promise((resolveForward, reject) => {
      // The Host header stays: moto builds URLs from it (SQS QueueUrl, SNS links), and
      // they must point at this endpoint, not at moto's internal port.
      const headers = { ...req.headers, ...guard() };
      if (body) {
        headers['content-length'] = String(body.length);
        delete headers['transfer-encoding'];
      }
      const upstream = request(
        { host: settings.host, port: settings.motoPort, method: req.method, path: req.url, headers },
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

  const ask = (method: string, path: string, authorization?: string, body?: string): Promise<Upstream> =>
    call(
      {
        host: settings.host,
        port: settings.motoPort,
        method,
        path,
        headers: {
          // moto takes the region from the credential scope.
          authorization: authorization ?? credentialScope(settings.region, 'lambda'),
          ...guard(),
          ...(body === undefined
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': String(Buffer.byteLength(body)),
              }),
        },
        timeout: 10_000,
      },
      body,
      'moto did not answer',
    );

  return { forward, ask };
}
