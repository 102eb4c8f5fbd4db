/**
 * An HTTP forwarder put between a client and an endpoint, for fault tests:
 * it counts the statuses the endpoint answered, and can be taken down (the
 * port refuses connections, open ones are reset) and brought back on the
 * same port. The endpoint itself, and whatever state it keeps, is untouched.
 */
import {
  type Agent,
  createServer,
  Agent as HttpAgent,
  type IncomingMessage,
  request,
  type Server,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, the address to give the client instead of the endpoint's. */
  url: string;
  /** Answers forwarded, by HTTP status. */
  statuses: Record<number, number>;
  /** Requests that found the proxy down or lost their connection to it. */
  refused: number;
  /** Stop listening and reset every open connection: the client sees ECONNREFUSED / ECONNRESET. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const agent: Agent = new HttpAgent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const statuses: Record<number, number> = {};
  let refused = 0;
  const handle = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const upstream = request(
      {
        host: hostname,
        port: Number(targetPort),
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        statuses[answer.statusCode ?? 0] = (statuses[answer.statusCode ?? 0] ?? 0) + 1;
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      refused++;
      res.destroy();
    });
    req.pipe(upstream);
  };
  let server: Server = createServer(handle);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    statuses,
    get refused() {
      return refused;
    },
    down: stop,
    async up() {
      server = createServer(handle);
      await listen(port);
    },
    async close() {
      if (server.listening) await stop();
      agent.destroy();
    },
  };
}
