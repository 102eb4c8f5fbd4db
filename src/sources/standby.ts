/**
 * StandbySource: several producers of one feed, one poller. Each joins a
 * Kafka consumer group on a one-partition control topic; the member the group
 * assigns partition 0 polls, the others stand by and take over when it leaves
 * or dies (its session expires). No infrastructure beyond the Kafka cluster
 * the snapshots go to.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { createKafkaClient, ensureTopic, type KafkaLike } from '../kafka/client.ts';
import { PartitionAssigners } from '../kafka/kafkajs.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { pause } from '../util/retry.ts';
import { lastSnapshotTime } from './last-produced.ts';
import { standbyAssigner } from './standby-assigner.ts';
import { Lease, leaseLengthMs } from './standby-lease.ts';
import {
  type ResolvedStandbySourceOptions,
  resolveStandbySourceOptions,
  type StandbySourceOptions,
} from './standby-options.ts';
import {
  brokerSessionTimeoutRange,
  fitSessionTimeout,
  isInvalidSessionTimeout,
  SESSION_TIMEOUT_SETTINGS,
} from './standby-session.ts';

/** What this producer does now. */
export type StandbyRole = 'joining' | 'standby' | 'poller';

/** Counters of a {@link StandbySource}. */
export interface StandbySourceStats {
  role: StandbyRole;
  /** Times this producer started polling (the first election included). */
  elected: number;
  /** Times it stopped polling because the group rebalanced or moved the control partition away. */
  demoted: number;
  /** Times it stopped polling because no heartbeat was acknowledged for the lease (a pause, a partition from Kafka). */
  lapsed: number;
  /** Snapshots polled after the lease ran out, left out (another member may be polling). */
  fenced: number;
  /** Snapshots not newer than the topic's last one when this producer took over, left out. */
  skippedAtTakeover: number;
  /** The newest snapshot time found in the topic at the last takeover. */
  readBackTime: number | undefined;
  /** The group session timeout in use, ms (the broker may have refused the one asked for). */
  sessionTimeoutMs: number;
}

/** Events of a {@link StandbySource}. */
export interface StandbySourceEvents {
  role: [StandbyRole];
}

type Consumer = ReturnType<KafkaLike['consumer']>;

/** How often a poller checks its lease, ms: the longest it polls on after the lease ran out. */
const LEASE_CHECK_MS = 100;
/** Wait before rejoining after the consumer crashed for good, ms. */
const REJOIN_DELAY_MS = 1000;

/**
 * An async-iterable source that polls only while this process holds the
 * feed's control partition. Election is Kafka's own group membership: the
 * group coordinator assigns the one partition of the control topic to one
 * live member (the one that already holds it, when it rejoins: see
 * standby-assigner.ts); when that member dies, its session expires after
 * `sessionTimeoutMs` and the partition (and the polling) moves to a standby.
 *
 * Never two pollers for long: a member stops polling as soon as a rebalance
 * starts, and a poller that stops hearing from the group (paused, or cut off
 * from Kafka) stops when its lease runs out, before the coordinator can hand
 * the partition on (standby-lease.ts); a snapshot it polled meanwhile is left out.
 *
 * At each takeover the new poller reads back the `snapshot-time` of the
 * topic's newest records (while its first poll runs) and leaves out every
 * snapshot not newer: the records downstream stay unique by (icao24, time)
 * across the switch.
 *
 * @example
 * ```ts
 * const source = new StandbySource({
 *   brokers: ['127.0.0.1:9092'],
 *   topic: 'aviation-data',
 *   intervalMs: 10_000,
 *   open: (signal) => new OpenSkySource({ intervalMs: 10_000, signal }),
 * });
 * await createPipeline({ mode: 'produce', source, sink: { brokers: ['127.0.0.1:9092'], topic: 'aviation-data' } }).run();
 * ```
 */
export class StandbySource extends EventEmitter<StandbySourceEvents> implements AsyncIterable<Snapshot> {
  readonly stats: StandbySourceStats;
  private readonly options: ResolvedStandbySourceOptions;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  /** True while the group has given this member the control partition. */
  private holding = false;
  /** It held the partition before the rebalance under way: it asks to keep it. */
  private incumbent = false;
  private lease: Lease;
  /** The current poller's tenure (aborting it stops the poller); undefined while not polling. */
  private tenure: AbortController | undefined;
  /** A crash kafkajs does not recover from by itself: the member rejoins with a new consumer. */
  private crashed: Error | undefined;
  /** When the newest Heartbeat / SyncGroup request was sent: where an acknowledgement's lease starts. */
  private sent = { Heartbeat: 0, SyncGroup: 0 };
  private wake: () => void = () => {};

  constructor(options: StandbySourceOptions) {
    super();
    this.options = resolveStandbySourceOptions(options);
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.stopper.signal])
      : this.stopper.signal;
    const { sessionTimeoutMs, heartbeatIntervalMs } = this.options;
    this.lease = new Lease(leaseLengthMs(sessionTimeoutMs, heartbeatIntervalMs));
    this.stats = {
      role: 'joining',
      elected: 0,
      demoted: 0,
      lapsed: 0,
      fenced: 0,
      skippedAtTakeover: 0,
      readBackTime: undefined,
      sessionTimeoutMs,
    };
  }

  /** The consumer group and control topic. */
  get group(): string {
    return this.options.group;
  }

  /** Stop (leaving the group); a pending iteration ends. Idempotent. */
  stop(): void {
    this.stopper.abort();
    this.wake();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  /** Whether this member may poll now: it holds the partition and its lease. */
  private get mayPoll(): boolean {
    return this.holding && this.lease.valid;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Snapshot> {
    const kafka = createKafkaClient(this.options, this.logger);
    await ensureTopic(kafka, { topic: this.options.group, partitions: 1 }, this.logger);
    const onAbort = () => this.wake();
    this.signal.addEventListener('abort', onAbort, { once: true });
    const watchdog = setInterval(() => {
      if (this.tenure && !this.mayPoll) this.endTenure();
    }, LEASE_CHECK_MS);
    let consumer: Consumer | undefined;
    try {
      while (!this.signal.aborted) {
        if (!consumer) {
          consumer = await this.join(kafka);
          continue;
        }
        if (this.crashed) {
          const error = this.crashed;
          this.crashed = undefined;
          await consumer.disconnect().catch(() => undefined);
          consumer = undefined;
          if (!(await this.afterCrash(kafka, error))) await pause(REJOIN_DELAY_MS, this.signal);
          continue;
        }
        if (!this.mayPoll) {
          this.setRole('standby');
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        const ended = yield* this.poll(kafka);
        if (ended) return;
      }
    } finally {
      clearInterval(watchdog);
      this.signal.removeEventListener('abort', onAbort);
      this.tenure?.abort();
      await consumer?.disconnect().catch(() => undefined);
    }
  }

  /** Poll while allowed; `true` when the poller ended by itself (maxSnapshots). */
  private async *poll(kafka: KafkaLike): AsyncGenerator<Snapshot, boolean> {
    const tenure = new AbortController();
    this.tenure = tenure;
    this.stats.elected++;
    this.setRole('poller');
    // Read back while the first poll runs: a takeover's gap is the time between the snapshots
    // either side of it, and reading back (a throwaway group's join) is not on that path.
    const floorRead = lastSnapshotTime(
      kafka,
      this.options.topic,
      this.options.readBackTimeoutMs,
      this.logger,
    );
    const signal = AbortSignal.any([this.signal, tenure.signal]);
    let last: number | undefined;
    try {
      for await (const snapshot of this.options.open(signal)) {
        if (signal.aborted) return false;
        if (last === undefined) {
          const floor = await floorRead;
          this.stats.readBackTime = floor;
          this.logger.info('polling for the group', { group: this.options.group, lastSnapshotTime: floor });
          last = floor ?? Number.NEGATIVE_INFINITY;
          if (signal.aborted) return false;
        }
        // Checked last, right before the snapshot goes on: the lease may have run out meanwhile.
        if (!this.mayPoll) {
          this.stats.fenced++;
          this.endTenure();
          return false;
        }
        if (snapshot.time <= last) {
          this.stats.skippedAtTakeover++;
          continue;
        }
        last = snapshot.time;
        yield snapshot;
      }
      return !signal.aborted;
    } finally {
      tenure.abort();
      if (this.tenure === tenure) this.tenure = undefined;
    }
  }

  /** End the current tenure: the poller stops. Says why when it is the lease. */
  private endTenure(): void {
    const tenure = this.tenure;
    if (!tenure) return;
    this.tenure = undefined;
    if (this.holding && !this.lease.valid) {
      this.stats.lapsed++;
      this.logger.warn('stopped polling: no heartbeat acknowledged within the lease', {
        group: this.options.group,
        leaseMs: this.lease.lengthMs,
      });
    } else {
      this.stats.demoted++;
    }
    tenure.abort();
    this.wake();
  }

  /** A new group member, connected and running. */
  private async join(kafka: KafkaLike): Promise<Consumer> {
    const { group, heartbeatIntervalMs } = this.options;
    const sessionTimeoutMs = this.stats.sessionTimeoutMs;
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: heartbeatIntervalMs,
      // Heartbeats go out between fetches: an empty control topic must not hold a fetch for
      // long (the lease assumes one every heartbeat interval and a half).
      maxWaitTimeInMs: Math.ceil(heartbeatIntervalMs / 2),
      rebalanceTimeout: Math.max(sessionTimeoutMs, 10_000),
      // Kafka's own assigner after ours: a group that still has members of an older version
      // agrees on round-robin instead of failing the join.
      partitionAssigners: [
        standbyAssigner(() => this.incumbent && this.lease.valid),
        PartitionAssigners.roundRobin,
      ],
    });
    const { events } = consumer;
    consumer.on(events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Heartbeat' || payload.apiName === 'SyncGroup')
        this.sent[payload.apiName] = payload.sentAt;
    });
    consumer.on(events.HEARTBEAT, () => {
      this.lease.renew(this.sent.Heartbeat);
      if (this.holding) this.wake();
    });
    consumer.on(events.GROUP_JOIN, ({ payload }) => {
      const assigned = (payload.memberAssignment[group] ?? []).includes(0);
      this.incumbent = assigned;
      if (assigned) this.lease.renew(this.sent.SyncGroup);
      this.hold(assigned);
    });
    // Stop polling as soon as a rebalance starts: the partition may go to another member once it ends.
    consumer.on(events.REBALANCING, () => this.hold(false));
    consumer.on(events.CRASH, ({ payload }) => {
      this.incumbent = false;
      this.lease.end();
      this.hold(false);
      if (!payload.restart) {
        this.crashed = payload.error;
        this.wake();
      }
    });
    consumer.on(events.STOP, () => this.hold(false));
    await consumer.connect();
    await consumer.subscribe({ topics: [group] });
    // Nothing is written to the control topic: the fetches only keep the member alive.
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
    return consumer;
  }

  private hold(holding: boolean): void {
    if (holding === this.holding) return;
    this.holding = holding;
    if (!holding) this.endTenure();
    this.wake();
  }

  /**
   * After a crash kafkajs does not restart from: when the broker refused the session timeout,
   * take the nearest it accepts (and say which broker setting allows the derived one).
   * `true` when the member can rejoin at once.
   */
  private async afterCrash(kafka: KafkaLike, error: Error): Promise<boolean> {
    const wanted = this.stats.sessionTimeoutMs;
    if (isInvalidSessionTimeout(error)) {
      const range = await brokerSessionTimeoutRange(kafka);
      const fitted = fitSessionTimeout(wanted, range);
      if (fitted !== wanted) {
        const { min, max } = SESSION_TIMEOUT_SETTINGS;
        const message =
          fitted > wanted
            ? `the broker refused a session timeout of ${wanted} ms (below its ${min}); using ${fitted} ms, so a takeover takes longer: set ${min} to at most ${wanted} on the brokers for the takeover the interval asks for`
            : `the broker refused a session timeout of ${wanted} ms (above its ${max}); using ${fitted} ms`;
        this.logger.warn(message, { group: this.options.group, brokerRange: range });
        this.stats.sessionTimeoutMs = fitted;
        this.lease = new Lease(leaseLengthMs(fitted, this.options.heartbeatIntervalMs));
        return true;
      }
    }
    this.logger.warn('the group member crashed; rejoining', {
      group: this.options.group,
      error: error.message,
    });
    return false;
  }

  private setRole(role: StandbyRole): void {
    if (this.stats.role === role) return;
    this.stats.role = role;
    if (role === 'standby') this.logger.info('standing by', { group: this.options.group });
    this.emit('role', role);
  }
}
