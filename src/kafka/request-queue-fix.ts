/**
 * A fix for kafkajs 2.2.4's request queue, applied by src/kafka/kafkajs.ts (the
 * module every kafkajs value of this package comes from) before kafkajs loads.
 *
 * `RequestQueue.scheduleCheckPendingRequests` computes its delay as
 * `throttledUntil - Date.now()`. `throttledUntil` is -1 until a broker throttles
 * the client, so after every response, with nothing queued, kafkajs calls
 * `setTimeout` with about -1.7e12 ms: Node 24 prints a `TimeoutNegativeWarning`
 * for it (kafkajs issue #1751), and since Node runs such a timer after 1 ms,
 * whose callback schedules the next one, every connection keeps a 1 ms timer
 * spinning for its whole life (issue #1704). kafkajs has had no release since
 * 2.2.4 (February 2023).
 *
 * The replacement schedules exactly what the original does whenever there is
 * something to wait for (requests pending: at the end of the throttle, or in
 * 10 ms; throttled with nothing pending: at the end of the throttle) and nothing
 * otherwise: a request pushed later is sent at once or schedules its own check,
 * and every response or timeout checks the queue again. No warning is muted.
 *
 * Applied to the kafkajs versions it was written against only; another version
 * is left alone (test/unit/kafkajs-request-queue.test.ts fails then, as a reminder).
 *
 * @module
 */
import { createRequire } from 'node:module';

/** kafkajs's own constant (src/network/requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The kafkajs versions whose `scheduleCheckPendingRequests` this replaces. */
export const patchedKafkajsVersions: readonly string[] = ['2.2.4'];

/** The fields of kafkajs's RequestQueue the method reads and writes. */
interface RequestQueueState {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueState & { scheduleCheckPendingRequests(): void };
}

const applied = Symbol.for('opensky-stream.kafkajs.scheduleCheckPendingRequests');

/** kafkajs's method, without the negative and the pointless delays. */
export function scheduleCheckPendingRequests(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0) {
    delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL;
  } else if (untilUnthrottled > 0) {
    delay = untilUnthrottled;
  } else {
    // Nothing queued and not throttled: nothing to check later.
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/**
 * Replace the method on the RequestQueue of the kafkajs that `from` resolves
 * (this package's by default). Idempotent. Returns whether the fix is in place.
 */
export function fixKafkajsRequestQueue(from: string | URL = import.meta.url): boolean {
  let RequestQueue: RequestQueueClass;
  try {
    const require = createRequire(from);
    const { version } = require('kafkajs/package.json') as { version: string };
    if (!patchedKafkajsVersions.includes(version)) return false;
    RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
  } catch {
    // kafkajs not installed here (a caller brings its own KafkaJS-compatible client).
    return false;
  }
  const proto = RequestQueue.prototype as RequestQueueClass['prototype'] & { [applied]?: true };
  if (proto[applied]) return true;
  if (typeof proto.scheduleCheckPendingRequests !== 'function') return false;
  proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  proto[applied] = true;
  return true;
}
