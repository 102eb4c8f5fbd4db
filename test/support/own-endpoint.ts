/**
 * An AWS endpoint of a test's own: a second instance of the stack's router
 * (src/stack/endpoint/router.ts) on a free port, with its own run directory
 * and settings (e.g. `LAMBDA_MAX_CONCURRENCY=1 LAMBDA_MAX_QUEUE=1` to make
 * Invoke answer 429), in front of the stack's moto. Its SNS and SQS (fauxqs)
 * and its function registry are its own, so nothing the shared endpoint
 * holds changes. RIE, the runtime client and fauxqs come from the stack's
 * cache (installed by `stack:up`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { motoToken } from '../../src/stack/aws.ts';
import { fauxqsEntry, rieBinary, runtimeClient } from '../../src/stack/endpoint.ts';
import {
  accountId,
  spawnService,
  stackConfig,
  stackFile,
  stopService,
  waitUntil,
} from '../../src/stack/lib.ts';
import { freePort } from './metrics-endpoint.ts';

export interface OwnEndpoint {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  dispose(): Promise<void>;
}

/**
 * Start a router with `env` added to its environment (LAMBDA_MAX_CONCURRENCY, LAMBDA_MAX_QUEUE,
 * LAMBDA_RUNTIME_CLIENT, ROUTER_RIE_BIN for a stand-in RIE, …). With `runDir`, it uses (and keeps) that run directory, so a second
 * router can start on what the first one left.
 */
export async function startOwnEndpoint(
  env: Record<string, string> = {},
  options: { runDir?: string } = {},
): Promise<OwnEndpoint> {
  const shared = stackConfig();
  const port = await freePort();
  const runDir = options.runDir ?? mkdtempSync(join(tmpdir(), 'oss-own-endpoint-'));
  const cfg = stackConfig({ ...process.env, AWS_PORT: String(port), OPENSKY_STREAM_RUN_DIR: runDir });
  const { client, entry } = runtimeClient(shared, { ...process.env, ...env });
  spawnService(cfg, 'lambda', process.execPath, [stackFile('router')], {
    env: {
      ...process.env,
      ...env,
      ROUTER_PORT: String(port),
      ROUTER_HOST: cfg.host,
      MOTO_PORT: String(shared.motoPort),
      ROUTER_MOTO_TOKEN: motoToken(shared) ?? '',
      ROUTER_RUN_DIR: runDir,
      ROUTER_RIE_BIN: env.ROUTER_RIE_BIN ?? rieBinary(shared),
      ROUTER_RUNTIME: entry,
      ROUTER_RUNTIME_CLIENT: client,
      // fauxqs when the stack installed it (its SNS/SQS then are this endpoint's own), else moto's.
      ROUTER_MESSAGING_ENTRY: existsSync(fauxqsEntry(shared)) ? fauxqsEntry(shared) : '',
      MOTO_ACCOUNT_ID: accountId,
    },
    // As the stack's router: it stops its pollers, then its environments (see spawnService).
    stopsItsChildren: true,
  });
  const url = `http://${cfg.host}:${port}`;
  await waitUntil(
    'own AWS endpoint',
    async () => {
      try {
        const answer = await fetch(`${url}/_stack/health`, { signal: AbortSignal.timeout(2000) });
        return answer.status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, cfg, service: 'lambda' },
  );
  return {
    url,
    async dispose() {
      await stopService(cfg, 'lambda', 5_000);
      if (!options.runDir) rmSync(runDir, { recursive: true, force: true });
    },
  };
}
