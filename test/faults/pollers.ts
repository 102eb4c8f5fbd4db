/**
 * What carries a flow's topic to the function, one of the two ways users run it:
 *
 * - `bridge`: `opensky-stream bridge` in a process of its own (after a kill, a
 *   new one in the same group);
 * - `mapping`: an event source mapping on the local stack, created as users
 *   create it (`opensky-stream deploy --kafka-bootstrap-servers …`, or, for a
 *   function of the scenario's own, `ensureKafkaEventSourceMapping`: deploy's
 *   own call, so both get deploy's settings), polled by a worker process the
 *   router's supervisor runs (src/stack/esm/supervisor.ts).
 *
 * Both give a scenario the same handle, {@link Poller}: its log, a SIGKILL
 * mid-batch, whether it still runs, a stop as users stop it.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import {
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { ensureKafkaEventSourceMapping } from '../../src/deploy/event-source-mapping.ts';
import { logFile, type StackConfig } from '../../src/stack/lib.ts';
import { workerPid } from '../support/esm-worker.ts';
import { awsConfig, CliProcess, flags, jsonLines, until } from './harness.ts';

/** How the flow's records reach the function. */
export type Via = 'bridge' | 'mapping';

/** A goal missed, and what to note about it. */
export interface PollerProblem {
  failure: string;
  note?: string;
}

/** The poller of a flow, whichever way it runs. */
export interface Poller {
  readonly via: Via;
  /** Its JSON log lines whose `msg` is `message` (every bridge process; the worker's lines of the router's log). */
  logged(message: string): Array<Record<string, unknown>>;
  /** Its whole log, as text. */
  text(): string;
  /**
   * SIGKILL it (mid-batch when the function holds its answers) and have it back: a new
   * bridge in the same group, or the worker the supervisor starts again. A problem when it
   * did not come back.
   */
  crash(): Promise<{ note: string; problem?: PollerProblem }>;
  /** Why it no longer runs on its own (exited, its mapping not `Enabled`, no worker), or nothing. */
  down(): Promise<PollerProblem | undefined>;
  /** Stop it as users do (SIGINT; DeleteEventSourceMapping until it is gone); the goals it missed. */
  stop(): Promise<string[]>;
  /** Whatever is left of it, gone (processes killed, the mapping deleted). Idempotent. */
  dispose(): Promise<void>;
}

/** `opensky-stream bridge …`, started again (same arguments, same group) after a kill. */
export class BridgePoller implements Poller {
  readonly via = 'bridge';
  private readonly processes: CliProcess[] = [];
  private readonly args: string[];
  private readonly env: NodeJS.ProcessEnv;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.args = args;
    this.env = env;
    this.start();
  }

  private start(): CliProcess {
    const bridge = new CliProcess(this.args, this.env);
    this.processes.push(bridge);
    return bridge;
  }

  private get current(): CliProcess {
    return this.processes.at(-1)!;
  }

  logged(message: string): Array<Record<string, unknown>> {
    return this.processes.flatMap((bridge) => bridge.logged(message));
  }

  text(): string {
    return this.processes.map((bridge) => bridge.stderr).join('\n');
  }

  async crash(): Promise<{ note: string }> {
    await this.current.kill();
    this.start();
    return { note: 'a new bridge, same group' };
  }

  async down(): Promise<PollerProblem | undefined> {
    const last = this.current;
    if (last.running) return undefined;
    return {
      failure: `bridge exited by itself (${last.exit?.code ?? last.exit?.signal})`,
      note: `bridge: ${last.tail(2)}`,
    };
  }

  async stop(): Promise<string[]> {
    const last = this.current;
    const wasRunning = last.running;
    const stopped = await last.stop();
    if (stopped.hung) return ['bridge did not stop within 45 s of SIGINT (hung)'];
    if (wasRunning && stopped.code !== 0) return [`bridge exited ${stopped.code} on SIGINT`];
    return [];
  }

  async dispose(): Promise<void> {
    for (const bridge of this.processes) await bridge.kill();
  }
}

/** How long a mapping may take to be deleted: the worker finishes its batch first (ESM_STOP_TIMEOUT_MS, 35 s). */
const DELETE_TIMEOUT_MS = 60_000;
/** How long the supervisor may take to start a killed worker again (its backoff starts at 1 s). */
const RESTART_TIMEOUT_MS = 60_000;

/** What {@link MappingPoller.create} needs. */
export interface MappingSpec {
  /** The stack whose router serves the mapping (its run directory: pid file and `lambda.log`). */
  cfg: StackConfig;
  /** The AWS endpoint of that router. */
  endpoint: string;
  functionName: string;
  topic: string;
  /** The mapping's `KAFKA_BOOTSTRAP_SERVERS`. */
  brokers: string[];
  batchSize: number;
  /**
   * `deploy`: `opensky-stream deploy … --kafka-bootstrap-servers` (the function must be one
   * deploy made: the reference handler); `sdk`: deploy's own call for any other function.
   */
  createWith: { deploy: { args: string[]; env: NodeJS.ProcessEnv } } | 'sdk';
}

/** An event source mapping of the local stack, and its worker process. */
export class MappingPoller implements Poller {
  readonly via = 'mapping';
  readonly uuid: string;
  private readonly cfg: StackConfig;
  private readonly lambda: LambdaClient;
  /** Where the router's log stood when the mapping was created: its worker's lines come after. */
  private readonly logFrom: number;
  private deleted = false;

  private constructor(uuid: string, spec: MappingSpec, logFrom: number) {
    this.uuid = uuid;
    this.cfg = spec.cfg;
    this.lambda = new LambdaClient(awsConfig(spec.endpoint));
    this.logFrom = logFrom;
  }

  /** Create the mapping and wait until it is `Enabled` (both ways wait as deploy does). */
  static async create(spec: MappingSpec): Promise<MappingPoller> {
    const log = logFile(spec.cfg, 'lambda');
    const logFrom = existsSync(log) ? statSync(log).size : 0;
    let uuid: string;
    if (spec.createWith === 'sdk') {
      const result = await ensureKafkaEventSourceMapping({
        functionName: spec.functionName,
        topic: spec.topic,
        bootstrapServers: spec.brokers,
        batchSize: spec.batchSize,
        lambda: new LambdaClient(awsConfig(spec.endpoint)),
      });
      if (result.state !== 'Enabled') throw new Error(`the mapping ${result.uuid} is ${result.state}`);
      uuid = result.uuid;
    } else {
      const { args, env } = spec.createWith.deploy;
      const deploy = new CliProcess(
        [
          ...args,
          ...flags({
            'kafka-bootstrap-servers': spec.brokers.join(','),
            topic: spec.topic,
            'batch-size': String(spec.batchSize),
          }),
        ],
        env,
      );
      const deployed = await deploy.wait(180_000);
      if (deployed.code !== 0) throw new Error(`deploy (mapping) exited ${deployed.code}: ${deploy.tail()}`);
      const mapping = (JSON.parse(deploy.stdout) as { eventSourceMapping: { uuid: string; state: string } })
        .eventSourceMapping;
      if (mapping.state !== 'Enabled') throw new Error(`the mapping ${mapping.uuid} is ${mapping.state}`);
      uuid = mapping.uuid;
    }
    return new MappingPoller(uuid, spec, logFrom);
  }

  /** The router's log since the mapping was created (it appends across restarts). */
  private routerLog(): string {
    const file = logFile(this.cfg, 'lambda');
    if (!existsSync(file)) return '';
    const size = statSync(file).size;
    if (size <= this.logFrom) return '';
    const buffer = Buffer.alloc(size - this.logFrom);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.logFrom);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  }

  /** The worker's lines: its logger tags each with the mapping's UUID (`esm`). */
  private lines(): Array<Record<string, unknown>> {
    return jsonLines(this.routerLog()).filter((line) => line.esm === this.uuid);
  }

  logged(message: string): Array<Record<string, unknown>> {
    return this.lines().filter((line) => line.msg === message);
  }

  text(): string {
    return this.lines()
      .map((line) => JSON.stringify(line))
      .join('\n');
  }

  /** The worker's pid, when one runs. */
  workerPid(): number | undefined {
    return workerPid(this.uuid, this.cfg);
  }

  async crash(): Promise<{ note: string; problem?: PollerProblem }> {
    const pid = this.workerPid();
    if (pid === undefined) throw new Error(`no worker process runs for the mapping ${this.uuid}`);
    process.kill(pid, 'SIGKILL');
    const back = await until(() => {
      const next = this.workerPid();
      return next !== undefined && next !== pid;
    }, RESTART_TIMEOUT_MS);
    if (back) return { note: `worker ${pid} SIGKILLed; the supervisor started ${this.workerPid()}` };
    return {
      note: `worker ${pid} SIGKILLed`,
      problem: {
        failure: `the supervisor did not start the worker again within ${RESTART_TIMEOUT_MS / 1000} s`,
      },
    };
  }

  async down(): Promise<PollerProblem | undefined> {
    const mapping = await this.lambda
      .send(new GetEventSourceMappingCommand({ UUID: this.uuid }))
      .catch((error: Error) => error);
    if (mapping instanceof Error) return { failure: `the mapping could not be read: ${mapping.name}` };
    if (mapping.State !== 'Enabled')
      return {
        failure: `the mapping is ${mapping.State} (${mapping.StateTransitionReason})`,
        note: `LastProcessingResult: ${mapping.LastProcessingResult}`,
      };
    if (this.workerPid() === undefined)
      return {
        failure: 'no worker process polls for the mapping',
        note: `LastProcessingResult: ${mapping.LastProcessingResult}`,
      };
    return undefined;
  }

  async stop(): Promise<string[]> {
    if (this.deleted) return [];
    this.deleted = true;
    try {
      await this.lambda.send(new DeleteEventSourceMappingCommand({ UUID: this.uuid }));
    } catch (error) {
      return [`DeleteEventSourceMapping failed: ${(error as Error).name}`];
    }
    const gone = await until(
      () =>
        this.lambda.send(new GetEventSourceMappingCommand({ UUID: this.uuid })).then(
          () => false,
          (error: Error) => error.name === 'ResourceNotFoundException',
        ),
      DELETE_TIMEOUT_MS,
    );
    if (!gone)
      return [`the mapping was not gone ${DELETE_TIMEOUT_MS / 1000} s after DeleteEventSourceMapping (hung)`];
    if (this.workerPid() !== undefined) return ['the worker outlived its mapping'];
    return [];
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
  }
}
