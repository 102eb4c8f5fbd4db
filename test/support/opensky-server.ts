/**
 * A real local HTTP server that speaks OpenSky's `/api/states/all` (and the
 * OAuth2 token endpoint), answering from a script: for tests, no fetch mocks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON-serialisable body, or a raw string sent as is. */
  body?: unknown;
  delayMs?: number;
  /** Drop the connection instead of answering (a network error for the client). */
  destroy?: boolean;
  /**
   * Send the status line and headers (`content-length` announcing the whole body), then only
   * the first `truncateAt` bytes of the body, and drop the connection: a transfer cut short.
   */
  truncateAt?: number;
}

export interface OpenSkyTestServer {
  baseUrl: string;
  tokenUrl: string;
  /** Every request to /api/states/all, in order. */
  requests: Array<{ url: string; authorization: string | undefined; at: number }>;
  tokenRequests: Array<Record<string, string>>;
  close(): Promise<void>;
}

export async function startOpenSkyServer(options: {
  /** Replies in order for /api/states/all; the last one repeats. */
  replies?: ScriptedReply[];
  /** Or compute each reply. */
  reply?: (n: number, req: IncomingMessage) => ScriptedReply;
  /**
   * Token endpoint: the token to hand out (`expires_in` seconds). `replies` script the first
   * token requests (an error status, a delay, a dropped connection) before the token is handed out.
   */
  token?: { value: (n: number) => string; expiresIn?: number; status?: number; replies?: ScriptedReply[] };
}): Promise<OpenSkyTestServer> {
  const requests: OpenSkyTestServer['requests'] = [];
  const tokenRequests: OpenSkyTestServer['tokenRequests'] = [];
  const send = async (res: ServerResponse, reply: ScriptedReply) => {
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.destroy) {
      res.socket?.destroy();
      return;
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null);
    if (reply.truncateAt !== undefined) {
      const bytes = Buffer.from(body);
      res.writeHead(reply.status ?? 200, {
        'content-type': 'application/json',
        'content-length': String(bytes.length),
        ...reply.headers,
      });
      res.write(bytes.subarray(0, reply.truncateAt), () => res.socket?.destroy());
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/token' && req.method === 'POST') {
      let raw = '';
      req.on('data', (chunk) => {
        raw += chunk;
      });
      req.on('end', () => {
        tokenRequests.push(Object.fromEntries(new URLSearchParams(raw)));
        const token = options.token;
        const scripted = token?.replies?.[tokenRequests.length - 1];
        if (scripted) {
          void send(res, scripted);
          return;
        }
        if (!token || (token.status ?? 200) !== 200) {
          void send(res, { status: token?.status ?? 401, body: { error: 'invalid_client' } });
          return;
        }
        void send(res, {
          body: { access_token: token.value(tokenRequests.length), expires_in: token.expiresIn ?? 1800 },
        });
      });
      return;
    }
    if (path === '/old/api/states/all') {
      res.writeHead(301, { location: `/api/states/all?${(req.url ?? '').split('?')[1] ?? ''}` });
      res.end();
      return;
    }
    if (path !== '/api/states/all') {
      void send(res, { status: 404, body: { error: 'not found' } });
      return;
    }
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization, at: Date.now() });
    const n = requests.length - 1;
    const scripted = options.replies ?? [];
    const reply = options.reply?.(n, req) ??
      scripted[Math.min(n, scripted.length - 1)] ?? { body: { time: 1, states: null } };
    void send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    requests,
    tokenRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
