/**
 * The local AWS endpoint as a process: options from the environment (what
 * src/stack/endpoint.ts sets: ROUTER_*, MOTO_PORT, LAMBDA_*), serving until
 * SIGTERM or SIGINT. The tsup entry `dist/stack/router.js`.
 */
import { routerOptionsFromEnv } from './options.ts';
import { createRouter } from './router.ts';

const router = createRouter(routerOptionsFromEnv());

function shutdown(): void {
  void router.close().then(() => process.exit(0));
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
await router.start();
