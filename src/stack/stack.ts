/**
 * The native local stack, no Docker: `opensky-stream stack up|down|status|logs`
 * (src/cli/commands/stack.ts) over the functions here.
 *
 *   kafka   Apache Kafka (KRaft, single node) from Maven Central    127.0.0.1:9092
 *   moto    moto's server from PyPI: SNS, SQS, IAM, CloudWatch,     127.0.0.1:4567 (internal)
 *           Lambda control plane
 *   lambda  the AWS endpoint users talk to: Lambda Invoke served by  127.0.0.1:4566
 *           AWS's Runtime Interface Emulator per function, every
 *           other call passed through to moto
 *
 * `up` reuses what already runs, installs what is missing (cached under
 * ~/.cache/opensky-stream) and starts the rest; `down` stops only what it
 * started, by pid; `status` shows what runs where and its memory; `logs`
 * reads the services' log files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsService } from './aws.ts';
import { endpointService } from './endpoint.ts';
import { kafkaService } from './kafka.ts';
import {
  type Log,
  logFile,
  runningPid,
  type Service,
  type StackConfig,
  stackConfig,
  stopService,
  withFileLock,
} from './lib.ts';

export const services: readonly Service[] = [kafkaService, awsService, endpointService];

const defaultLog: Log = (message) => process.stderr.write(`[stack] ${message}\n`);

/** Per-service seconds taken by `up`; 0 when it was already running. */
export type UpTimings = Record<string, number>;

/**
 * Bring the whole stack up; resolves when every service is healthy.
 * Kafka and moto install and start concurrently; the Lambda endpoint needs moto.
 */
export async function stackUp(cfg: StackConfig = stackConfig(), log: Log = defaultLog): Promise<UpTimings> {
  const timings: UpTimings = {};
  const bringUp = async (service: Service) => {
    const started = performance.now();
    if (await service.healthy(cfg)) {
      log(`${service.name}: already running at ${service.endpoint(cfg)}`);
      timings[service.name] = 0;
      return;
    }
    // One install per service at a time on this machine (the cache is shared by checkouts and CI runs).
    await withFileLock(join(cfg.cacheDir, `${service.name}.install.lock`), () => service.install(cfg, log), {
      onWait: (pid) => log(`${service.name}: waiting for another install (pid ${pid}) to finish`),
    });
    log(`${service.name}: starting`);
    await service.start(cfg, log);
    timings[service.name] = (performance.now() - started) / 1000;
    log(`${service.name}: up at ${service.endpoint(cfg)} in ${timings[service.name]!.toFixed(1)}s`);
  };
  await Promise.all([bringUp(kafkaService), bringUp(awsService).then(() => bringUp(endpointService))]);
  return timings;
}

/**
 * Stop every service this stack started (reverse order). Leaves foreign processes alone.
 * Resolves to the names of the services it found pid files for.
 */
export async function stackDown(cfg: StackConfig = stackConfig(), log: Log = defaultLog): Promise<string[]> {
  const stopped: string[] = [];
  for (const service of [...services].reverse()) {
    if (await stopService(cfg, service.name)) {
      stopped.push(service.name);
      log(`${service.name}: stopped`);
    }
  }
  return stopped;
}

/** A process and all its live descendants, from /proc. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // process exited while we looked
    }
  }
  const tree: number[] = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Sum of `read(pid)` over a process tree; processes that exit meanwhile count 0. */
function sumOverTree(rootPid: number, read: (pid: number) => number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      total += read(pid);
    } catch {
      // exited
    }
  }
  return total;
}

/** Resident memory (KiB) of a process and all its descendants, from /proc. */
export function treeRssKiB(rootPid: number): number {
  return sumOverTree(rootPid, (pid) =>
    Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0),
  );
}

/** CPU seconds (user + system) used so far by one process (not its children); throws if it is gone. */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces and parentheses) follow the last ')'.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) used so far by a process and its live descendants. */
export function treeCpuSeconds(rootPid: number): number {
  return sumOverTree(rootPid, processCpuSeconds);
}

export interface ServiceStatus {
  name: string;
  endpoint: string;
  healthy: boolean;
  pid?: number;
  rssMiB?: number;
  log: string;
}

export async function stackStatus(cfg: StackConfig = stackConfig()): Promise<ServiceStatus[]> {
  return Promise.all(
    services.map(async (service) => {
      const pid = runningPid(cfg, service.name);
      return {
        name: service.name,
        endpoint: service.endpoint(cfg),
        healthy: await service.healthy(cfg),
        ...(pid === undefined ? {} : { pid, rssMiB: Math.round(treeRssKiB(pid) / 1024) }),
        log: logFile(cfg, service.name),
      };
    }),
  );
}
