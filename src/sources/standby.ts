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
import { type Logger, silentLogger } from '../logger.ts';
import type { Snapshot } from '../opensky/source.ts';
import { lastSnapshotTime } from './last-produced.ts';
import {
  type ResolvedStandbySourceOptions,
  resolveStandbySourceOptions,
  type StandbySourceOptions,
} from './standby-options.ts';

/** What this producer does now. */
export type StandbyRole = 'joining' | 'standby' | 'poller';

/** Counters of a {@link StandbySource}. */
export interface StandbySourceStats {
  role: StandbyRole;
  /** Times this producer became the poller (the first election included). */
  elected: number;
  /** Times it stopped polling because the group moved the control partition away. */
  demoted: number;
  /** Snapshots not newer than the topic's last one when this producer took over, left out. */
  skippedAtTakeover: number;
  /** The newest snapshot time found in the topic at the last takeover. */
  readBackTime: number | undefined;
}

/** Events of a {@link StandbySource}. */
export interface StandbySourceEvents {
  role: [StandbyRole];
}

type Consumer = ReturnType<KafkaLike['consumer']>;

/**
 * An async-iterable source that polls only while this process holds the
 * feed's control partition. Election is Kafka's own group membership: the
 * group coordinator assigns the one partition of the control topic to one
 * live member; when that member dies, its session expires after
 * `sessionTimeoutMs` and the partition (and the polling) moves to a standby.
 * A member stops polling as soon as a rebalance starts, before anyone else is
 * assigned the partition, so two pollers never overlap while both can reach
 * Kafka.
 *
 * At each takeover the new poller reads back the `snapshot-time` of the
 * topic's newest records and leaves out every snapshot not newer: the records
 * downstream stay unique by (icao24, time) across the switch.
 *
 * @example
 * ```ts
 * const source = new StandbySource({
 *   brokers: ['127.0.0.1:9092'],
 *   topic: 'aviation-data',
 *   open: (signal) => new OpenSkySource({ intervalMs: 10_000, signal }),
 * });
 * await createPipeline({ mode: 'produce', source, sink: { brokers: ['127.0.0.1:9092'], topic: 'aviation-data' } }).run();
 * ```
 */
export class StandbySource extends EventEmitter<StandbySourceEvents> implements AsyncIterable<Snapshot> {
  readonly stats: StandbySourceStats = {
    role: 'joining',
    elected: 0,
    demoted: 0,
    skippedAtTakeover: 0,
    readBackTime: undefined,
  };
  private readonly options: ResolvedStandbySourceOptions;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  /** True while the group has given this member the control partition. */
  private holding = false;
  /** Aborted when the partition is taken away: ends the current poller. */
  private tenure = new AbortController();
  private wake: () => void = () => {};

  constructor(options: StandbySourceOptions) {
    super();
    this.options = resolveStandbySourceOptions(options);
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.stopper.signal])
      : this.stopper.signal;
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

  async *[Symbol.asyncIterator](): AsyncIterator<Snapshot> {
    const kafka = createKafkaClient(this.options, this.logger);
    const { group } = this.options;
    await ensureTopic(kafka, { topic: group, partitions: 1 }, this.logger);
    const consumer = this.join(kafka);
    const onAbort = () => this.wake();
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [group] });
      // Nothing is written to the control topic: the fetches only keep the member alive.
      await consumer.run({ autoCommit: false, eachMessage: async () => {} });
      while (!this.signal.aborted) {
        if (!this.holding) {
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
      this.signal.removeEventListener('abort', onAbort);
      this.tenure.abort();
      await consumer.disconnect().catch(() => undefined);
    }
  }

  /** Poll while holding the partition; `true` when the poller ended by itself (maxSnapshots). */
  private async *poll(kafka: KafkaLike): AsyncGenerator<Snapshot, boolean> {
    const tenure = this.tenure;
    this.stats.elected++;
    this.setRole('poller');
    const floor = await lastSnapshotTime(
      kafka,
      this.options.topic,
      this.options.readBackTimeoutMs,
      this.logger,
    );
    this.stats.readBackTime = floor;
    this.logger.info('polling for the group', { group: this.options.group, lastSnapshotTime: floor });
    let last = floor ?? Number.NEGATIVE_INFINITY;
    const signal = AbortSignal.any([this.signal, tenure.signal]);
    for await (const snapshot of this.options.open(signal)) {
      if (signal.aborted) return false;
      if (snapshot.time <= last) {
        this.stats.skippedAtTakeover++;
        continue;
      }
      last = snapshot.time;
      yield snapshot;
    }
    return !signal.aborted;
  }

  private join(kafka: KafkaLike): Consumer {
    const { group, sessionTimeoutMs, heartbeatIntervalMs } = this.options;
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: heartbeatIntervalMs,
      // Heartbeats go out between fetches: an empty topic must not hold a fetch for long.
      maxWaitTimeInMs: heartbeatIntervalMs,
      rebalanceTimeout: Math.max(sessionTimeoutMs, 10_000),
    });
    const hold = (holding: boolean) => {
      if (holding === this.holding) return;
      this.holding = holding;
      if (!holding) {
        // Stop polling now: another member may be given the partition once this rebalance ends.
        this.stats.demoted++;
        this.tenure.abort();
        this.tenure = new AbortController();
      }
      this.wake();
    };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      hold((payload.memberAssignment[group] ?? []).includes(0)),
    );
    consumer.on(consumer.events.REBALANCING, () => hold(false));
    consumer.on(consumer.events.CRASH, () => hold(false));
    consumer.on(consumer.events.STOP, () => hold(false));
    return consumer;
  }

  private setRole(role: StandbyRole): void {
    if (this.stats.role === role) return;
    this.stats.role = role;
    if (role === 'standby') this.logger.info('standing by', { group: this.options.group });
    this.emit('role', role);
  }
}
