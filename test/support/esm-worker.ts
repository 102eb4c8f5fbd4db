/**
 * The worker process of an event source mapping on the local stack: the
 * router forks one per enabled mapping (src/stack/esm/supervisor.ts) with
 * ESM_UUID=<uuid> in its environment, so a test can find it and kill it.
 */
import { readFileSync } from 'node:fs';
import { readPid, type StackConfig, stackConfig } from '../../src/stack/lib.ts';
import { processTree } from '../../src/stack/stack.ts';

/** The pid of the worker polling for mapping `uuid` (a child of the router, ESM_UUID in its environment). */
export function workerPid(uuid: string, cfg: StackConfig = stackConfig()): number | undefined {
  const router = readPid(cfg, 'lambda');
  if (router === undefined) return undefined;
  return processTree(router).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`ESM_UUID=${uuid}`);
    } catch {
      return false;
    }
  });
}
