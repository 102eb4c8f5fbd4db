/**
 * What a LambdaInvoker counts and tells: its counters (the event source
 * mapping's metrics among them) and its events.
 *
 * @module
 */

/** Counters of a {@link LambdaInvoker}. */
export interface LambdaInvokerStats {
  /** Records fetched from Kafka (the same as `polled`). */
  recordsIn: number;
  /** Invoke requests sent, whatever their outcome. */
  invocations: number;
  /** Failed Invokes: function errors, invalid answers, and Invokes that did not run the function. */
  errors: number;
  retries: number;
  /** Records written to the Kafka dead-letter topic. */
  deadLettered: number;
  committed: number;
  partialFailures: number;
  lastInvokeMs: number;
  /** Times the Kafka consumer crashed, and times it was restarted since. */
  crashes: number;
  restarts: number;
  /** Records read from Kafka (ESM `PolledEventCount`). */
  polled: number;
  /** Records the `filter` dropped; committed, never invoked (ESM `FilteredOutEventCount`). */
  filteredOut: number;
  /** Records sent in Invokes that reached the function, successful or not (ESM `InvokedEventCount`). */
  invokedEvents: number;
  /** Records of Invokes the function failed, in whole or in part (ESM `FailedInvokeEventCount`). */
  failedInvokeEvents: number;
  /** Records discarded without a failure destination: expired, or unrepresentable (ESM `DroppedEventCount`). */
  dropped: number;
  /** Records delivered to the `onFailure` destination (ESM `OnFailureDestinationDeliveredEventCount`). */
  onFailureDelivered: number;
}

/** Fresh counters. */
export function createStats(): LambdaInvokerStats {
  return {
    recordsIn: 0,
    invocations: 0,
    errors: 0,
    retries: 0,
    deadLettered: 0,
    committed: 0,
    partialFailures: 0,
    lastInvokeMs: 0,
    crashes: 0,
    restarts: 0,
    polled: 0,
    filteredOut: 0,
    invokedEvents: 0,
    failedInvokeEvents: 0,
    dropped: 0,
    onFailureDelivered: 0,
  };
}

/** Events of a {@link LambdaInvoker}. */
export interface LambdaInvokerEvents {
  invoke: [{ records: number; ms: number; partition: number }];
  invokeError: [{ error: Error; partition: number; attempt: number }];
  /** Records given up on: sent to the dead-letter topic or the `onFailure` destination, or dropped (`destination: 'none'`). */
  deadLetter: [
    { records: number; reason: string; partition: number; destination?: 'kafka' | 'onFailure' | 'none' },
  ];
  commit: [{ topic: string; partition: number; offset: string }];
  /** The consumer crashed; `restarting` is false when no restart can help (see {@link LambdaInvoker.done}). */
  crash: [{ error: Error; restarting: boolean; crashes: number }];
  /** A new consumer replaced the crashed one and joins the group from the committed offsets. */
  restart: [{ attempt: number; restarts: number }];
  /** {@link LambdaInvoker.lastProcessingResult} changed. */
  result: [string];
}
