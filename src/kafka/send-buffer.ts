/**
 * The sink's send buffer: the snapshots accepted by `write` and not yet
 * acknowledged, and the queue of their sends in write order. It is what rides
 * out a broker outage: sends that failed go back to their place in the order,
 * a batch the broker found too large is split in halves that keep that place,
 * and when the buffer is full the oldest snapshot none of whose sends has
 * started can be dropped whole. Sending, retrying and waiting are the sink's
 * (src/kafka/sink.ts); this file only keeps the books.
 *
 * @module
 */
import { chunkMessages, type SinkMessage as Message } from './messages.ts';

/** A snapshot in the buffer. */
export interface BufferedSnapshot {
  time: number;
  traceparent?: string;
  bytes: number;
  messages: number;
  /** Sends it takes; `acked` of them are acknowledged, `inFlight` under way. */
  chunks: number;
  inFlight: number;
  acked: number;
  ackedMessages: number;
}

/** One send: a part of a snapshot. `order` (and `span`, for halves) keeps the queue in write order. */
export interface QueuedSend {
  owner: BufferedSnapshot;
  messages: Message[];
  bytes: number;
  order: number;
  span: number;
}

/** The counters the buffer keeps current (the sink's stats: users read them live). */
export interface SendBufferCounters {
  bufferedSnapshots: number;
  bufferedBytes: number;
}

/** Snapshots not fully acknowledged, oldest first, and their sends waiting to go out. */
export class SendBuffer {
  private readonly snapshots: BufferedSnapshot[] = [];
  private queue: QueuedSend[] = [];
  private nextOrder = 0;
  private readonly counters: SendBufferCounters;

  constructor(counters: SendBufferCounters) {
    this.counters = counters;
  }

  /** Snapshots buffered. */
  get length(): number {
    return this.snapshots.length;
  }

  /** The oldest and newest buffered snapshots' times (for the close report's log line). */
  get oldestTime(): number | undefined {
    return this.snapshots[0]?.time;
  }

  get newestTime(): number | undefined {
    return this.snapshots[this.snapshots.length - 1]?.time;
  }

  /**
   * Whether the next send must go out alone: the first of two halves of a batch the
   * broker found too large (so the halves keep their order).
   */
  get nextIsHalf(): boolean {
    return this.queue[0] !== undefined && this.queue[0].span < 1;
  }

  get hasQueued(): boolean {
    return this.queue.length > 0;
  }

  /** Buffer a snapshot cut into `chunks` (its sends, in order). */
  add(
    snapshot: { time: number; traceparent?: string | undefined },
    chunks: Array<{ messages: Message[]; bytes: number }>,
  ): void {
    const owner: BufferedSnapshot = {
      time: snapshot.time,
      ...(snapshot.traceparent ? { traceparent: snapshot.traceparent } : {}),
      bytes: chunks.reduce((sum, chunk) => sum + chunk.bytes, 0),
      messages: chunks.reduce((sum, chunk) => sum + chunk.messages.length, 0),
      chunks: chunks.length,
      inFlight: 0,
      acked: 0,
      ackedMessages: 0,
    };
    this.snapshots.push(owner);
    this.counters.bufferedSnapshots++;
    this.counters.bufferedBytes += owner.bytes;
    for (const chunk of chunks) this.queue.push({ owner, ...chunk, order: this.nextOrder++, span: 1 });
  }

  /** The next send, taken off the queue and counted as under way. */
  take(): QueuedSend | undefined {
    const send = this.queue.shift();
    if (send) send.owner.inFlight++;
    return send;
  }

  /** A send is no longer under way (acknowledged, failed or requeued). */
  settled(send: QueuedSend): void {
    send.owner.inFlight--;
  }

  /**
   * Count a send as acknowledged; returns its snapshot once every send of it is
   * (the snapshot then leaves the buffer).
   */
  acknowledge(send: QueuedSend): BufferedSnapshot | undefined {
    const owner = send.owner;
    owner.acked++;
    owner.ackedMessages += send.messages.length;
    if (owner.acked < owner.chunks) return undefined;
    this.release(owner);
    return owner;
  }

  /** Put a send back in the queue at its place in the order. */
  requeue(send: QueuedSend): void {
    const at = this.queue.findIndex((queued) => queued.order > send.order);
    if (at < 0) this.queue.push(send);
    else this.queue.splice(at, 0, send);
  }

  /** Put a send back as two halves, at its place in the order (the broker refused its size). */
  requeueInHalves(send: QueuedSend): void {
    const half = Math.ceil(send.messages.length / 2);
    const span = send.span / 2;
    send.owner.chunks++;
    [send.messages.slice(0, half), send.messages.slice(half)].forEach((messages, i) => {
      const bytes = chunkMessages(messages, Number.POSITIVE_INFINITY)[0]!.bytes;
      this.requeue({ owner: send.owner, messages, bytes, order: send.order + i * span, span });
    });
  }

  /** Drop the oldest snapshot none of whose sends has started; `undefined` when there is none. */
  dropOldest(): BufferedSnapshot | undefined {
    const victim = this.snapshots.find((s) => s.inFlight === 0 && s.acked === 0);
    if (!victim) return undefined;
    this.release(victim);
    this.queue = this.queue.filter((send) => send.owner !== victim);
    return victim;
  }

  /** Messages of the buffered snapshots not acknowledged yet. */
  unsentMessages(): number {
    return this.snapshots.reduce((sum, s) => sum + s.messages - s.ackedMessages, 0);
  }

  private release(owner: BufferedSnapshot): void {
    const at = this.snapshots.indexOf(owner);
    if (at < 0) return;
    this.snapshots.splice(at, 1);
    this.counters.bufferedSnapshots--;
    this.counters.bufferedBytes -= owner.bytes;
  }
}
