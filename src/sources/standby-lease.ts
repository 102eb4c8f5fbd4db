/**
 * The poller's lease: how long it may go on polling without hearing from
 * the group. The group coordinator drops a member whose heartbeats stop for
 * the session timeout and gives the control partition to a standby; a poller
 * that was paused (SIGSTOP, a frozen VM, a stalled event loop) or cut off
 * from Kafka learns of that only when it next talks to the coordinator. The
 * lease lets it stop before then: it runs from the moment the last
 * acknowledged heartbeat was sent (never from when the answer was read, which
 * after a pause is long after the coordinator saw it) and ends a margin
 * before the coordinator's own deadline.
 *
 * @module
 */

/** A lease renewed by acknowledged heartbeats. */
export class Lease {
  private until = Number.NEGATIVE_INFINITY;
  /** How long after a heartbeat was sent the lease holds, ms. */
  readonly lengthMs: number;
  private readonly now: () => number;

  constructor(lengthMs: number, now: () => number = Date.now) {
    this.lengthMs = lengthMs;
    this.now = now;
  }

  /** A heartbeat (or join) sent at `sentAt` was acknowledged. Never shortens the lease. */
  renew(sentAt: number): void {
    this.until = Math.max(this.until, sentAt + this.lengthMs);
  }

  /** Forget it (the member left or was dropped). */
  end(): void {
    this.until = Number.NEGATIVE_INFINITY;
  }

  /** Whether the lease holds now. */
  get valid(): boolean {
    return this.now() < this.until;
  }
}

/**
 * The lease length for a session timeout: the session timeout less half a
 * heartbeat interval. The coordinator's deadline is the session timeout after
 * it *received* the last heartbeat, which is after it was sent; the margin
 * covers the lease check's own granularity, so the poller has stopped before
 * the coordinator can hand the partition on. Heartbeats come every heartbeat
 * interval plus one fetch wait (half an interval), so a healthy poller's lease
 * never runs out between two of them.
 */
export function leaseLengthMs(sessionTimeoutMs: number, heartbeatIntervalMs: number): number {
  return sessionTimeoutMs - Math.ceil(heartbeatIntervalMs / 2);
}
