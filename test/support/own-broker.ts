/**
 * A Kafka broker of a test's own, started through the stack's kafka service
 * on free ports with a temporary run directory, so a test can SIGKILL and
 * restart it without disturbing the shared broker other tests use. Its jars
 * come from the stack's cache (installed by the global setup's `stack:up`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaService } from '../../src/stack/kafka.ts';
import {
  isAlive,
  readPid,
  type StackConfig,
  sleep,
  stackConfig,
  stopService,
  tcpOpen,
} from '../../src/stack/lib.ts';

export interface OwnBroker {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  cfg: StackConfig;
  /** SIGKILL the broker (its process group) and wait until it is gone and its port closed. */
  kill(): Promise<void>;
  /** Start it again on the same ports and data; resolves once it answers. */
  restart(): Promise<void>;
  /** Stop it and remove its run directory. */
  dispose(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const log = (message: string) => {
  if (process.env.DEBUG_OUTAGE) process.stderr.write(`[own-broker] ${message}\n`);
};

export async function startOwnBroker(): Promise<OwnBroker> {
  const kafkaPort = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === kafkaPort) controllerPort = await freePort();
  const runDir = mkdtempSync(join(tmpdir(), 'oss-own-broker-'));
  const cfg = stackConfig({
    ...process.env,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    OPENSKY_STREAM_RUN_DIR: runDir,
  });
  await kafkaService.install(cfg, log);
  await kafkaService.start(cfg, log);
  log(`up at ${cfg.host}:${kafkaPort} (run dir ${runDir})`);
  return {
    brokers: [`${cfg.host}:${kafkaPort}`],
    cfg,
    async kill() {
      const pid = readPid(cfg, 'kafka');
      if (pid === undefined) throw new Error('own broker: no pid file');
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
      while (isAlive(pid)) await sleep(50);
      while (await tcpOpen(cfg.host, kafkaPort, 200)) await sleep(50);
      log(`killed pid ${pid}`);
    },
    async restart() {
      await kafkaService.start(cfg, log);
      log('restarted');
    },
    async dispose() {
      await stopService(cfg, 'kafka', 5_000);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** Watch a long-running promise (a pipeline's `run()`): whether it ended yet, and how. */
export function watchRun(run: Promise<unknown>): {
  readonly ended: boolean;
  readonly failure: unknown;
  done: Promise<void>;
} {
  const state = { ended: false, failure: undefined as unknown };
  const done = run.then(
    () => {
      state.ended = true;
    },
    (error: unknown) => {
      state.failure = error;
      state.ended = true;
    },
  );
  return {
    get ended() {
      return state.ended;
    },
    get failure() {
      return state.failure;
    },
    done,
  };
}
