/**
 * moto's own endpoint for tests that stand in for AWS without the local
 * stack's router: moto answers only requests with the stack's token (see
 * src/stack/aws.ts), which SDKs and the CLI never send, so this plain HTTP
 * proxy on a free loopback port adds it to every request it passes on.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { motoToken } from '../../src/stack/aws.ts';
import { MOTO_TOKEN_HEADER } from '../../src/stack/endpoint/protocol.ts';
import { stackConfig } from '../../src/stack/lib.ts';

/** A proxy to the stack's moto: its URL, and `close`. */
export interface MotoProxy {
  url: string;
  close(): Promise<void>;
}

export async function startMotoProxy(cfg = stackConfig()): Promise<MotoProxy> {
  const token = motoToken(cfg) ?? '';
  const server = createServer((req, res) => {
    const upstream = request(
      {
        host: cfg.host,
        port: cfg.motoPort,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, [MOTO_TOKEN_HEADER]: token },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, cfg.host, resolve));
  return {
    url: `http://${cfg.host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
