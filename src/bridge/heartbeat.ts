/**
 * Heartbeats while a batch is being delivered. kafkajs heartbeats only
 * between fetches or when `eachBatch` calls `heartbeat()`: an Invoke longer
 * than the session would make the coordinator drop the member, and the batch
 * be invoked again by its successor. This keeps calling `heartbeat()` (kafkajs
 * sends one at most every `heartbeatInterval`) until the batch is done.
 *
 * @module
 */
import type { Logger } from '../logger.ts';

/** Call `heartbeat` every `intervalMs` until the returned function is called. */
export function keepAlive(heartbeat: () => Promise<void>, intervalMs: number, logger: Logger): () => void {
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return; // the previous one is still waiting for the coordinator
    beating = true;
    heartbeat()
      .catch((error: Error) => {
        // A rebalance began, or the coordinator moved: kafkajs rejoins once the batch is
        // done; the batch's commit still counts while this member's generation is current.
        logger.debug('heartbeat during a delivery failed', { error: error.message });
      })
      .finally(() => {
        beating = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
