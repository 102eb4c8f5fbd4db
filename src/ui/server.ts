/**
 * The live page: a small HTTP server (node:http, no framework) that serves a
 * world map of the aircraft in the notifications as they arrive, and streams
 * them to the page over Server-Sent Events.
 *
 * Routes:
 * - `/` and `/app.js`: the page (static files in src/ui/page, shipped in the package).
 * - `/vendor/topojson-client.js`, `/data/countries-110m.json`: the offline basemap, read
 *   from the `topojson-client` and `world-atlas` packages in node_modules.
 * - `/events`: Server-Sent Events. By default flights are batched per tick (4 a second):
 *   event `flights`, data `{"type":"flights","flights":[{icao24,…},…]}` (one entry per
 *   notification, the newest per icao24 in that tick), so 3,000 notifications a second are a
 *   few events instead of thousands. `/events?each=1` sends one event `flight` per
 *   notification instead (data `{"type":"flight","icao24":…}`). Both send `health`
 *   (`{"type":"health",…}`) once a second. A new connection first gets every aircraft seen in
 *   the last {@link LiveServerOptions.keepSeconds} as one `flights` event.
 * - `/kafka/…`: the Kafka view's JSON (src/ui/kafka-view.ts), when the server has a
 *   {@link LiveServerOptions.kafka} inspector; `/kafka.js` is the view's script.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.ts';
import type { KafkaInspector } from './kafka-view.ts';
import { kafkaViewAnswer } from './kafka-view-routes.ts';

/** One aircraft position, as the page draws it. */
export interface FlightPoint {
  icao24: string;
  lat: number;
  lon: number;
  altitude_feet: number | null;
  callsign: string | null;
  origin_country: string | null;
  /** Position time, epoch milliseconds (receipt time when the notification has none). */
  time: number;
}

export interface LiveServerOptions {
  /** @default 8080 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Shown in the page's title bar. @default 'opensky-stream' */
  title?: string;
  /** Flights are batched and sent this often. @default 250 */
  flushMs?: number;
  /** Aircraft not heard from for this long are forgotten (by the server and the page). @default 120 */
  keepSeconds?: number;
  /**
   * A Kafka inspector (`createKafkaInspector`): the page then has a Kafka view of topics,
   * consumer groups and messages. The server closes it when it closes.
   */
  kafka?: KafkaInspector;
  /** The view the page opens on: the map, or the Kafka view (with `kafka`). @default 'map' */
  view?: 'map' | 'kafka';
}

export interface LiveServer {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  /** Notifications as they arrive (the SNS message bodies: JSON flight records). */
  addNotifications(bodies: Iterable<string | undefined>): void;
  /** Pipeline figures for the health panel (merged with the server's own: notifications, rate, display lag). */
  setHealth(fields: Record<string, number | string | undefined>): void;
  /** Aircraft currently known. */
  readonly aircraft: number;
  /** Idempotent: ends the event streams and closes the server. */
  close(): Promise<void>;
}

const defaults: LiveServerOptions & Required<Omit<LiveServerOptions, 'kafka'>> = {
  port: 8080,
  host: '127.0.0.1',
  title: 'opensky-stream',
  flushMs: 250,
  keepSeconds: 120,
  view: 'map',
};

/** A flight record (notification body) as a point on the map; undefined without a position. */
export function flightPoint(body: string | undefined, now = Date.now()): FlightPoint | undefined {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(body ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null) return undefined;
  const { icao24, latitude, longitude } = r;
  if (typeof icao24 !== 'string' || typeof latitude !== 'number' || typeof longitude !== 'number')
    return undefined;
  const time = typeof r.time_position === 'string' ? Date.parse(r.time_position) : Number.NaN;
  return {
    icao24,
    lat: latitude,
    lon: longitude,
    altitude_feet: typeof r.altitude_feet === 'number' ? r.altitude_feet : null,
    callsign: typeof r.callsign === 'string' ? r.callsign : null,
    origin_country: typeof r.origin_country === 'string' ? r.origin_country : null,
    time: Number.isNaN(time) ? now : time,
  };
}

interface Client {
  res: ServerResponse;
  each: boolean;
}

/** Where the page and the basemap files are, in a checkout and in an installed package alike. */
function assets(): Record<string, { file: string; type: string }> {
  const require = createRequire(import.meta.url);
  const page = join(packageRoot(), 'src', 'ui', 'page');
  return {
    '/': { file: join(page, 'index.html'), type: 'text/html; charset=utf-8' },
    '/index.html': { file: join(page, 'index.html'), type: 'text/html; charset=utf-8' },
    '/app.js': { file: join(page, 'app.js'), type: 'text/javascript; charset=utf-8' },
    '/kafka.js': { file: join(page, 'kafka.js'), type: 'text/javascript; charset=utf-8' },
    '/vendor/topojson-client.js': {
      file: require.resolve('topojson-client/dist/topojson-client.min.js'),
      type: 'text/javascript; charset=utf-8',
    },
    '/data/countries-110m.json': {
      file: require.resolve('world-atlas/countries-110m.json'),
      type: 'application/json',
    },
  };
}

/** Start the live page's server; resolves once it listens. */
export async function startLiveServer(options: LiveServerOptions = {}): Promise<LiveServer> {
  const o = { ...defaults };
  for (const [key, value] of Object.entries(options))
    if (value !== undefined) Object.assign(o, { [key]: value });
  const files = assets();
  const known = new Map<string, FlightPoint>();
  // Receipt times: replayed traffic has position times far in the past, and still is live here.
  const seenAt = new Map<string, number>();
  let pending = new Map<string, FlightPoint>();
  const clients = new Set<Client>();
  let health: Record<string, number | string | undefined> = {};
  let notifications = 0;
  // Rate over the last 5 s: batches arrive in bursts (a snapshot every few seconds).
  const counts: Array<[at: number, count: number]> = [[performance.now(), 0]];
  let newestTime: number | undefined;
  let displayLag: number | null = null;
  let closed = false;

  // A slow page (a background tab) skips batches rather than piling them up in memory; the next
  // position of each aircraft puts it right.
  const send = (client: Client, event: string, data: string) => {
    if (client.res.writableLength > 8 * 1024 * 1024) return;
    client.res.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  const wire = (f: FlightPoint) => JSON.stringify(f);

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    // Not new URL(): a path like '//' would be read as a host (and throw).
    const [pathname = '/', query = ''] = (req.url ?? '/').split('?', 2);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (pathname === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`retry: 1000\n\n`);
      const client: Client = { res, each: new URLSearchParams(query).has('each') };
      clients.add(client);
      req.on('close', () => clients.delete(client));
      send(
        client,
        'config',
        JSON.stringify({
          type: 'config',
          title: o.title,
          keepSeconds: o.keepSeconds,
          kafka: o.kafka !== undefined,
          defaultTopic: o.kafka?.defaultTopic,
          view: o.kafka ? o.view : 'map',
        }),
      );
      if (known.size) {
        send(
          client,
          'flights',
          `{"type":"flights","flights":[${Array.from(known.values(), wire).join(',')}]}`,
        );
      }
      return;
    }
    const answer = await kafkaViewAnswer(o.kafka, pathname, query);
    if (answer) {
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(answer.body));
      return;
    }
    const asset = Object.hasOwn(files, pathname) ? files[pathname] : undefined;
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const body = await readFile(asset.file);
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  };

  const server: Server = createServer((req, res) => {
    // A bad request must never take the pipeline's process down.
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const flush = setInterval(() => {
    if (!pending.size) return;
    const batch = `{"type":"flights","flights":[${Array.from(pending.values(), wire).join(',')}]}`;
    pending = new Map();
    for (const client of clients) if (!client.each) send(client, 'flights', batch);
  }, o.flushMs);
  const beat = setInterval(() => {
    const now = Date.now();
    const at = performance.now();
    counts.push([at, notifications]);
    if (counts.length > 6) counts.shift();
    const [since, before] = counts[0]!;
    const rate = Math.round(((notifications - before) * 1000) / Math.max(1, at - since));
    // Now minus the newest position time of the last second; kept through a second without any.
    if (newestTime !== undefined) displayLag = Math.max(0, (now - newestTime) / 1000);
    for (const [icao24, seen] of seenAt) {
      if (now - seen > o.keepSeconds * 1000) {
        seenAt.delete(icao24);
        known.delete(icao24);
      }
    }
    const data = JSON.stringify({
      type: 'health',
      ...health,
      notifications,
      'notifications/s': rate,
      aircraft: known.size,
      'display lag s': displayLag,
    });
    newestTime = undefined;
    for (const client of clients) send(client, 'health', data);
  }, 1000);
  flush.unref();
  beat.unref();

  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/`,
    port,
    get aircraft() {
      return known.size;
    },
    addNotifications(bodies) {
      const now = Date.now();
      for (const body of bodies) {
        notifications++;
        const f = flightPoint(body, now);
        if (!f) continue;
        if (newestTime === undefined || f.time > newestTime) newestTime = f.time;
        known.set(f.icao24, f);
        seenAt.set(f.icao24, now);
        pending.set(f.icao24, f);
        for (const client of clients)
          if (client.each) send(client, 'flight', `{"type":"flight",${wire(f).slice(1)}`);
      }
    },
    setHealth(fields) {
      health = { ...fields };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(flush);
      clearInterval(beat);
      for (const client of clients) client.res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await o.kafka?.close();
    },
  };
}
