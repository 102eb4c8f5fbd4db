/**
 * A real local HTTP server that answers like a readsb receiver (`/data/aircraft.json`)
 * or a community ADS-B API (`/v2/point/…`, `/api/v2/lat/…`), from a script: for
 * tests, no fetch mocks. Every path is answered; the script decides what.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReadsbReply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON-serialisable body, or a raw string sent as is. */
  body?: unknown;
  delayMs?: number;
  /** Drop the connection instead of answering (a network error for the client). */
  destroy?: boolean;
}

export interface ReadsbTestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in order: its path, its `api-auth` header, when it came (ms since the epoch). */
  requests: Array<{ path: string; apiAuth: string | undefined; at: number }>;
  close(): Promise<void>;
}

/** A readsb `aircraft` row with the usual fields of an airborne ADS-B aircraft; `fields` override. */
export function aircraftRow(hex: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hex,
    type: 'adsb_icao',
    flight: 'TEST123 ',
    alt_baro: 35000,
    alt_geom: 35500,
    gs: 450,
    track: 90,
    baro_rate: 0,
    squawk: '1000',
    category: 'A3',
    lat: 47,
    lon: 8,
    seen_pos: 0.5,
    seen: 0.2,
    ...fields,
  };
}

/** Start the server; `reply(n, req)` answers the n-th request (from 0). */
export async function startReadsbServer(
  reply: (n: number, req: IncomingMessage) => ReadsbReply,
): Promise<ReadsbTestServer> {
  const requests: ReadsbTestServer['requests'] = [];
  const server = createServer((req, res) => {
    const header = req.headers['api-auth'];
    requests.push({
      path: req.url ?? '',
      apiAuth: Array.isArray(header) ? header[0] : header,
      at: Date.now(),
    });
    const scripted = reply(requests.length - 1, req);
    const send = () => {
      if (scripted.destroy) {
        res.socket?.destroy();
        return;
      }
      const body = typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body ?? null);
      res.writeHead(scripted.status ?? 200, { 'content-type': 'application/json', ...scripted.headers });
      res.end(body);
    };
    if (scripted.delayMs) setTimeout(send, scripted.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
