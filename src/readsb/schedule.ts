/**
 * A fixed polling schedule shared by the readsb sources: tick `n` is due
 * `n × interval` after the first; ticks missed while a poll overran are
 * skipped (and counted), so there is never more than one poll in flight.
 *
 * @module
 */
import { pause } from '../util/retry.ts';

/** Yield once per due tick until `signal` aborts; `onMissed` hears of each skipped tick. */
export async function* fixedSchedule(
  intervalMs: number,
  signal: AbortSignal,
  onMissed: () => void = () => {},
): AsyncGenerator<number> {
  let due = Date.now();
  for (let tick = 0; !signal.aborted; tick++) {
    const wait = due - Date.now();
    if (wait > 0 && !(await pause(wait, signal))) return;
    yield tick;
    due += intervalMs;
    while (due <= Date.now()) {
      due += intervalMs;
      onMissed();
    }
  }
}
