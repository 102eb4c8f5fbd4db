/**
 * The metrics HTTP server: `/metrics` (Prometheus text format), `/healthz`
 * (the process is up) and `/readyz` (the pipeline is connected and working).
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.ts';
import type { ReadinessReport } from './readiness.ts';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Port; `0` for any free one (see {@link MetricsServer.port}). */
  port: number;
  /** Address to bind. @default '127.0.0.1' (only this machine; '0.0.0.0' for a scraper elsewhere) */
  host?: string;
  /** Where `/metrics` comes from: a prom-client `Registry` (or a {@link PipelineMetrics}' `registry`). */
  registry: { metrics(): Promise<string>; readonly contentType: string };
  /** The `/readyz` answer; ready whenever the process is up when absent. */
  ready?: () => ReadinessReport | Promise<ReadinessReport>;
}

/** A running metrics server. */
export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stop listening and close open connections. Idempotent. */
  close(): Promise<void>;
}

/** Start the server; rejects with `ConfigError` when the address cannot be bound (e.g. the port is in use). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
    throw new ConfigError('/options/port', `must be an integer from 0 to 65535, got ${options.port}`);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/healthz') {
      send(200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => send(200, options.registry.contentType, text),
        (error: unknown) => send(500, 'text/plain; charset=utf-8', `${(error as Error).message}\n`),
      );
      return;
    }
    if (path === '/readyz') {
      Promise.resolve(options.ready?.() ?? { ready: true, checks: [] }).then(
        (report) => send(report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`),
        (error: unknown) =>
          send(
            503,
            'application/json',
            `${JSON.stringify({ ready: false, error: (error as Error).message })}\n`,
          ),
      );
      return;
    }
    send(404, 'text/plain; charset=utf-8', 'not found: /metrics, /healthz, /readyz\n');
  });
  await listen(server, options.port, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ConfigError(
          '/options/port',
          `cannot serve metrics on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
}
