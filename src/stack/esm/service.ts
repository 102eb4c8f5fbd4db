/**
 * The lifecycle of the local stack's self-managed Kafka event source
 * mappings: what Create / Update / Delete do to a mapping's state, and the
 * worker processes that follow it.
 *
 * States move as Lambda's do: `Creating` → `Enabled` (or `Disabled`);
 * `Enabled: false` → `Disabling` → `Disabled`; `Enabled: true` → `Enabling` →
 * `Enabled`; a changed configuration → `Updating` → `Enabled`; Delete →
 * `Deleting` → gone. A transitional state ends once the worker's poller has
 * joined the group, or once it failed (then `LastProcessingResult` says why
 * and the worker is restarted with backoff): a mapping never stays stuck in
 * `Creating` because the broker is down.
 *
 * The function a mapping invokes may be deleted: as on AWS the mapping stays
 * (DeleteFunction does not delete mappings). Its worker is stopped while the
 * function is missing (`LastProcessingResult: PROBLEM: Function not found`)
 * and started again when a function of that name exists again.
 */
import { randomUUID } from 'node:crypto';
import { type FunctionRef, functionArn } from '../endpoint/protocol.ts';
import type { ResolvedEsmOptions } from './options.ts';
import {
  EsmApiError,
  type EsmConfiguration,
  type EsmState,
  type StoredMapping,
  toConfiguration,
} from './shapes.ts';
import { MappingStore } from './store.ts';
import { WorkerSupervisor } from './supervisor.ts';
import { applyUpdate, mappingFromCreate } from './validate.ts';

/** What the service needs from the router. */
export interface EsmServiceDeps {
  runDir: string;
  region: string;
  accountId: string;
  /** The stack's AWS endpoint, for the workers' Invoke, CloudWatch and Secrets Manager calls. */
  endpoint: string;
  /** The worker's entry file (see {@link workerEntry}). */
  workerEntry: string;
  options: ResolvedEsmOptions;
  /** True when the router can invoke a function of this name ($LATEST registered). */
  functionExists(name: string): boolean;
  /** True when the function (and its qualifier, if any) exists. */
  functionResolves(ref: FunctionRef): Promise<boolean>;
  log(message: string, fields?: Record<string, unknown>): void;
  /** ms since epoch. @default Date.now */
  now?: () => number;
}

/** `LastProcessingResult` while the mapping's function does not exist. */
export const FUNCTION_NOT_FOUND = 'PROBLEM: Function not found';
/** States in which a mapping accepts no update (AWS: ResourceInUseException). */
const BUSY: readonly EsmState[] = ['Creating', 'Enabling', 'Disabling', 'Updating', 'Deleting'];
/** How often mappings are matched against the functions that exist. */
const RECONCILE_MS = 1000;

const notFound = () =>
  new EsmApiError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
const inUse = (state: EsmState) =>
  new EsmApiError(
    400,
    'ResourceInUseException',
    `Cannot update the event source mapping because it is in use (state: ${state}). Try again once it is Enabled or Disabled.`,
  );

const sameServers = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((server, i) => server === [...b].sort()[i]);

/** The self-managed Kafka mappings of one router. */
export class EventSourceMappingService {
  private readonly store: MappingStore;
  private readonly supervisor: WorkerSupervisor;
  private readonly deps: EsmServiceDeps;
  private readonly now: () => number;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(deps: EsmServiceDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.store = new MappingStore(deps.runDir);
    this.supervisor = new WorkerSupervisor({
      entry: deps.workerEntry,
      endpoint: deps.endpoint,
      region: deps.region,
      options: deps.options,
      log: deps.log,
      events: {
        running: (uuid) => this.settle(uuid),
        result: (uuid, result) => this.setResult(uuid, result),
        failed: (uuid, error) => this.settle(uuid, `PROBLEM: ${error}`),
      },
    });
  }

  /** Load the saved mappings and start the enabled ones (resuming from their groups' committed offsets). */
  open(): void {
    this.store.load((error) =>
      this.deps.log('event source mappings unreadable, starting without them', {
        file: this.store.file,
        error: String(error),
      }),
    );
    for (const mapping of this.store.all()) {
      const conf = mapping.configuration;
      // A state the previous run left in the middle of a change ends as the user asked.
      if (conf.State === 'Deleting') this.store.delete(conf.UUID);
      else if (BUSY.includes(conf.State)) this.setState(mapping, mapping.enabled ? 'Enabled' : 'Disabled');
    }
    this.reconcile();
    this.reconcileTimer = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.reconcileTimer.unref();
    if (this.store.all().length)
      this.deps.log('event source mappings loaded', { mappings: this.store.all().length });
  }

  /** Stop every worker gracefully (each commits what completed). */
  async close(): Promise<void> {
    clearInterval(this.reconcileTimer);
    await this.supervisor.close();
  }

  has(uuid: string): boolean {
    return this.store.get(uuid) !== undefined;
  }

  get(uuid: string): EsmConfiguration {
    const mapping = this.store.get(uuid);
    if (!mapping) throw notFound();
    return toConfiguration(mapping);
  }

  /** The mappings of a function (name, or name with qualifier), or all. */
  list(filter?: FunctionRef): EsmConfiguration[] {
    return this.store
      .all()
      .filter((mapping) => {
        if (!filter) return true;
        if (mapping.functionName !== filter.name) return false;
        return (
          filter.qualifier === undefined || mapping.configuration.FunctionArn.endsWith(`:${filter.qualifier}`)
        );
      })
      .map(toConfiguration);
  }

  async create(body: unknown): Promise<EsmConfiguration> {
    const uuid = randomUUID();
    const { mapping, function: ref } = mappingFromCreate(body, {
      uuid,
      region: this.deps.region,
      accountId: this.deps.accountId,
      now: this.now(),
    });
    const arn = await this.resolve(ref);
    const conf = mapping.configuration;
    conf.FunctionArn = arn;
    for (const other of this.store.all()) {
      const theirs = other.configuration;
      if (
        theirs.FunctionArn === arn &&
        theirs.Topics[0] === conf.Topics[0] &&
        sameServers(
          theirs.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS,
          conf.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS,
        )
      ) {
        throw new EsmApiError(
          409,
          'ResourceConflictException',
          `The event source (topic ${conf.Topics[0]} on ${conf.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS.join(',')}) and function (${arn}) provided mapping already exists. Please update or delete the existing mapping with UUID ${theirs.UUID}`,
        );
      }
      const group = conf.SelfManagedKafkaEventSourceConfig.ConsumerGroupId;
      if (theirs.SelfManagedKafkaEventSourceConfig.ConsumerGroupId === group)
        throw new EsmApiError(
          409,
          'ResourceConflictException',
          `The consumer group ID ${group} is already used by the event source mapping ${theirs.UUID}; it must be unique among all Kafka event sources`,
        );
    }
    this.store.put(mapping);
    const answer = toConfiguration(mapping);
    this.deps.log('event source mapping created', { uuid, function: arn, topic: conf.Topics[0] });
    // The answer says Creating; the mapping moves on after it is sent.
    setImmediate(() => {
      if (!this.store.get(uuid)) return;
      if (!mapping.enabled) this.change(uuid, (_, stored) => this.setState(stored, 'Disabled'));
      else this.run(uuid);
    });
    return answer;
  }

  async update(uuid: string, body: unknown): Promise<EsmConfiguration> {
    const current = this.store.get(uuid);
    if (!current) throw notFound();
    if (BUSY.includes(current.configuration.State)) throw inUse(current.configuration.State);
    const { mapping: next, function: ref } = applyUpdate(current, body, this.now());
    if (ref) next.configuration.FunctionArn = await this.resolve(ref);
    // The mapping may have changed while the function was looked up.
    const latest = this.store.get(uuid);
    if (!latest) throw notFound();
    if (BUSY.includes(latest.configuration.State)) throw inUse(latest.configuration.State);
    const was = latest.enabled;
    const reconfigured =
      JSON.stringify({ ...latest.configuration, State: '', LastModified: 0, StateTransitionReason: '' }) !==
      JSON.stringify({ ...next.configuration, State: '', LastModified: 0, StateTransitionReason: '' });
    const state: EsmState =
      was && !next.enabled
        ? 'Disabling'
        : !was && next.enabled
          ? 'Enabling'
          : reconfigured
            ? 'Updating'
            : latest.configuration.State;
    next.configuration.State = state;
    this.store.put(next);
    const answer = toConfiguration(next);
    setImmediate(() => void this.apply(uuid, state));
    return answer;
  }

  /** Carry out an update: stop, start or restart the worker. */
  private async apply(uuid: string, state: EsmState): Promise<void> {
    const mapping = this.store.get(uuid);
    if (!mapping) return;
    if (state === 'Disabling') {
      await this.supervisor.stop(uuid);
      this.change(uuid, (_, stored) => this.setState(stored, 'Disabled'));
    } else if (state === 'Updating' && !mapping.enabled) {
      this.change(uuid, (_, stored) => this.setState(stored, 'Disabled'));
    } else if (state === 'Updating' || state === 'Enabling') {
      await this.supervisor.stop(uuid);
      this.run(uuid);
    }
  }

  delete(uuid: string): EsmConfiguration {
    const mapping = this.store.get(uuid);
    if (!mapping) throw notFound();
    const state = mapping.configuration.State;
    if (state === 'Deleting' || state === 'Updating') throw inUse(state);
    this.setState(mapping, 'Deleting');
    const answer = toConfiguration(mapping);
    setImmediate(() => {
      void this.supervisor.stop(uuid).then(() => {
        this.store.delete(uuid);
        this.deps.log('event source mapping deleted', { uuid });
      });
    });
    return answer;
  }

  /** Start the mapping's worker if its function exists; otherwise say so and settle. */
  private run(uuid: string): void {
    const mapping = this.store.get(uuid);
    if (!mapping) return;
    if (!this.deps.functionExists(mapping.functionName)) {
      this.settle(uuid, FUNCTION_NOT_FOUND);
      return;
    }
    this.supervisor.start(mapping.configuration);
  }

  /** A transitional state ends (the poller runs, or failed with `problem`). */
  private settle(uuid: string, problem?: string): void {
    this.change(uuid, (conf, mapping) => {
      if (problem) conf.LastProcessingResult = problem;
      if (['Creating', 'Enabling', 'Updating'].includes(conf.State)) this.setState(mapping, 'Enabled');
    });
  }

  /** Start workers of enabled mappings whose function exists, stop those whose function is gone. */
  private reconcile(): void {
    for (const mapping of this.store.all()) {
      const { UUID: uuid, State: state } = mapping.configuration;
      if (state !== 'Enabled') continue;
      const exists = this.deps.functionExists(mapping.functionName);
      if (exists && !this.supervisor.has(uuid)) {
        if (mapping.configuration.LastProcessingResult === FUNCTION_NOT_FOUND)
          this.setResult(uuid, 'No records processed');
        this.supervisor.start(mapping.configuration);
      } else if (!exists && this.supervisor.has(uuid)) {
        this.deps.log('the function of an event source mapping is gone; pausing the mapping', {
          uuid,
          function: mapping.functionName,
        });
        void this.supervisor.stop(uuid);
        this.setResult(uuid, FUNCTION_NOT_FOUND);
      } else if (!exists && mapping.configuration.LastProcessingResult !== FUNCTION_NOT_FOUND) {
        this.setResult(uuid, FUNCTION_NOT_FOUND);
      }
    }
  }

  private async resolve(ref: FunctionRef): Promise<string> {
    const arn = functionArn(this.deps.region, this.deps.accountId, ref);
    if (!this.deps.functionExists(ref.name) || !(await this.deps.functionResolves(ref)))
      throw new EsmApiError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    return arn;
  }

  private setState(mapping: StoredMapping, state: EsmState): void {
    if (mapping.configuration.State === state) return;
    mapping.configuration.State = state;
    mapping.configuration.LastModified = this.now() / 1000;
    this.store.put(mapping);
  }

  private setResult(uuid: string, result: string): void {
    this.change(uuid, (conf) => {
      conf.LastProcessingResult = result;
    });
  }

  /** Change a stored mapping and save it (nothing when it is gone). */
  private change(uuid: string, edit: (conf: EsmConfiguration, mapping: StoredMapping) => void): void {
    const mapping = this.store.get(uuid);
    if (!mapping) return;
    const before = JSON.stringify(mapping);
    edit(mapping.configuration, mapping);
    if (JSON.stringify(mapping) !== before) this.store.put(mapping);
  }
}
