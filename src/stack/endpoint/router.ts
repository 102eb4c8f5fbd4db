/**
 * The local AWS endpoint (default 127.0.0.1:4566): {@link createRouter} builds
 * it from its options and owns all its state (no module-level state, so a test
 * or a tool can run several). Lambda's data plane is served here; SNS and SQS
 * by fauxqs, in this process; everything else (IAM, STS, CloudWatch, the
 * Lambda control plane) is passed through to moto. The parts:
 *
 * - routes.ts: which part serves a request; protocol.ts: what AWS answers.
 * - registry.ts: the functions (persisted); control-plane.ts: Create/Update/Delete
 *   followed after moto answered them.
 * - pool.ts and environment.ts: the execution environments (one RIE process each:
 *   cold start, kept warm, reaped when idle, at most `maxConcurrency` per version).
 * - invoke.ts: the Invoke API on top of them.
 * - messaging.ts: fauxqs and SNS's CloudWatch metrics; ../esm/: event source mappings.
 *
 * Requests that could come from a web page are refused (403): a Host that is
 * not loopback (DNS rebinding), a foreign Origin, or a form post to the
 * Lambda API (see `refusal` in protocol.ts). This endpoint runs code.
 *
 * Run as a process by main.ts, started by src/stack/endpoint.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { type EventSourceMappings, startEventSourceMappings } from '../esm/index.ts';
import { handleControlPlane, reconcile } from './control-plane.ts';
import { startEnvironment } from './environment.ts';
import { apiError, readBody, sendJson } from './http.ts';
import { handleInvoke, resolveTarget } from './invoke.ts';
import { type EndpointLog, jsonLog } from './log.ts';
import { type LoadedMessaging, loadMessaging } from './messaging.ts';
import { createMotoClient } from './moto.ts';
import { type ResolvedRouterOptions, type RouterOptions, resolveRouterOptions } from './options.ts';
import { EnvironmentPool } from './pool.ts';
import { refusal } from './protocol.ts';
import { FunctionRegistry } from './registry.ts';
import { requestCountKey, routeOf } from './routes.ts';
import { runnableRuntimes } from './runtimes.ts';

/** How long a stopping endpoint waits for the invocations in flight before it cuts them. */
const DRAIN_MS = 5000;

/** A running endpoint. */
export interface Router {
  /** The options it runs with. */
  readonly options: ResolvedRouterOptions;
  readonly server: Server;
  /** Load fauxqs (when configured), listen, then forget functions moto no longer knows. */
  start(): Promise<void>;
  /**
   * Stop: no new invocation; the event source mappings' pollers first (they finish and commit
   * what is in flight while functions still run) and the other invocations in flight (up to
   * five seconds), then the execution environments, SNS metrics and fauxqs; resolves
   * when the server has closed (open connections are cut after two seconds). Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Build the endpoint: load the function registry and the event source mappings (their enabled
 * pollers start), start reaping idle environments. It serves once {@link Router.start} resolved.
 */
export function createRouter(options: RouterOptions = {}, log: EndpointLog = jsonLog): Router {
  const config = resolveRouterOptions(options);
  const endpointUrl = `http://${config.host}:${config.port}`;
  const moto = createMotoClient(config);
  const registry = new FunctionRegistry({ ...config, log });
  const pool = new EnvironmentPool({
    settings: config,
    latest: (name) => registry.get(name),
    start: (def, instance, onExit) =>
      startEnvironment(
        def,
        instance,
        { ...config, endpointUrl, functionsDir: registry.functionsDir, log },
        onExit,
      ),
  });
  const invokeDeps = {
    registry,
    pool,
    moto,
    host: config.host,
    region: config.region,
    accountId: config.accountId,
    log,
  };
  const controlPlaneDeps = {
    registry,
    pool,
    moto,
    pythonRuntimes: config.pythonRuntimes,
    region: config.region,
    log,
  };
  /** Requests served, by AWS service (`lambda:invoke` for Invoke): `/_stack/health` reports them. */
  const requestCounts: Record<string, number> = {};
  let loaded: LoadedMessaging | undefined;
  let closing: Promise<void> | undefined;

  registry.load();
  const esm: EventSourceMappings = startEventSourceMappings({
    runDir: config.runDir,
    region: config.region,
    accountId: config.accountId,
    endpoint: endpointUrl,
    routerUrl: import.meta.url,
    functionExists: (name) => registry.has(name),
    functionResolves: async (ref) => (await resolveTarget(invokeDeps, ref, undefined)) !== undefined,
    forward: moto.forward,
    askMoto: moto.ask,
    readBody,
    log,
  });
  pool.startReaping();

  const health = () =>
    JSON.stringify({
      status: 'ok',
      // Where this endpoint writes its logs: `logs` and `stack logs` read them from here, whatever
      // run dir their own installation would default to.
      runDir: resolve(config.runDir),
      runtimeClient: config.runtimeClient,
      runtimes: runnableRuntimes(config.pythonRuntimes),
      messaging: loaded ? 'fauxqs' : 'moto',
      requests: requestCounts,
      functions: registry.names(),
      warm: pool.warm(),
    });

  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<unknown> => {
    const route = routeOf(req.method, url.pathname, req.headers, {
      messaging: loaded !== undefined,
      snsMetrics: loaded !== undefined,
    });
    switch (route.kind) {
      case 'messaging':
        return loaded?.messaging.routing(req, res);
      case 'metrics-read':
        await loaded?.snsMetrics.flush();
        return moto.forward(req, res);
      case 'invoke':
        return handleInvoke(invokeDeps, req, res, route.rawName, url.searchParams);
      case 'control-plane':
        return handleControlPlane(controlPlaneDeps, req, res, route.call, route.name);
      case 'esm':
        return esm.handle(req, res, url);
      case 'health':
        return sendJson(res, 200, health());
      case 'moto':
        return moto.forward(req, res);
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const refused = refusal(req.headers, path);
    if (refused) {
      log('refused a request', { method: req.method, path, reason: refused });
      apiError(res, 403, 'AccessDeniedException', `the local AWS endpoint refuses this request: ${refused}`);
      return;
    }
    const counted = requestCountKey(path, req.headers);
    if (counted) requestCounts[counted] = (requestCounts[counted] ?? 0) + 1;
    serve(req, res, url).catch((error: unknown) => {
      log('request failed', { method: req.method, path, error: String(error) });
      if (!res.headersSent) apiError(res, 500, 'ServiceException', String(error));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  /** See {@link Router.close}. */
  const stop = async (): Promise<void> => {
    // No new invocation from now on; those in flight, the mappings' pollers' among them, end
    // with the function's own answer (up to DRAIN_MS for others' than the pollers').
    pool.close();
    const [, drained] = await Promise.all([
      esm
        .close()
        .catch((error: unknown) => log('event source mappings did not stop', { error: String(error) })),
      pool.drained(DRAIN_MS),
    ]);
    if (!drained) log('invocations still running when the endpoint stopped; their callers get an error');
    pool.stopAll();
    await loaded?.snsMetrics.close().catch(() => undefined);
    loaded?.messaging.close().catch(() => undefined);
    await new Promise<void>((resolveClose) => {
      // Clients' keep-alive connections would hold the close: they get two seconds.
      const force = setTimeout(() => {
        server.closeAllConnections();
        resolveClose();
      }, 2000).unref();
      server.close(() => {
        clearTimeout(force);
        resolveClose();
      });
    });
  };

  return {
    options: config,
    server,
    async start() {
      if (config.messagingEntry)
        loaded = await loadMessaging(config.messagingEntry, config.region, moto, log);
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolveListen();
        });
      });
      log('listening', {
        host: config.host,
        port: config.port,
        runtimeClient: config.runtimeClient,
        messaging: loaded ? 'fauxqs' : 'moto',
        functions: registry.size,
      });
      reconcile(controlPlaneDeps).catch((error: unknown) =>
        log('reconcile failed', { error: String(error) }),
      );
    },
    close() {
      closing ??= stop();
      return closing;
    },
  };
}
