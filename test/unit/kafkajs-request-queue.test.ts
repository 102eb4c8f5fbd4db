import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  fixKafkajsRequestQueue,
  patchedKafkajsVersions,
  scheduleCheckPendingRequests,
} from '../../src/kafka/request-queue-fix.ts';
import { runCli } from '../support/cli.ts';

const require = createRequire(import.meta.url);

/** The fields of kafkajs's RequestQueue the method uses. */
function queue(fields: { throttledUntil?: number; pending?: unknown[] } = {}) {
  return {
    throttledUntil: fields.throttledUntil ?? -1,
    throttleCheckTimeoutId: null as ReturnType<typeof setTimeout> | null,
    pending: fields.pending ?? [],
    checkPendingRequests: vi.fn(),
  };
}

// kafkajs issues #1751 (TimeoutNegativeWarning on Node 24) and #1704 (a 1 ms timer per connection).
describe('kafkajs RequestQueue.scheduleCheckPendingRequests', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is replaced in the installed kafkajs (a new kafkajs version needs a look at the fix)', () => {
    const { version } = require('kafkajs/package.json') as { version: string };
    expect(patchedKafkajsVersions).toContain(version);
    expect(fixKafkajsRequestQueue()).toBe(true);
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
  });

  it('schedules nothing when nothing is pending and the client is not throttled', () => {
    // Arrange
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const q = queue();
    // Act
    scheduleCheckPendingRequests.call(q);
    // Assert
    expect(spy).not.toHaveBeenCalled();
    expect(q.throttleCheckTimeoutId).toBeNull();
    spy.mockRestore();
  });

  it('checks pending requests again in 10 ms when not throttled, at the end of a throttle otherwise', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const waiting = queue({ pending: [{}] });
    scheduleCheckPendingRequests.call(waiting);
    vi.advanceTimersByTime(9);
    expect(waiting.checkPendingRequests).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(waiting.checkPendingRequests).toHaveBeenCalledTimes(1);
    expect(waiting.throttleCheckTimeoutId).toBeNull();

    const throttled = queue({ pending: [{}], throttledUntil: Date.now() + 500 });
    scheduleCheckPendingRequests.call(throttled);
    vi.advanceTimersByTime(499);
    expect(throttled.checkPendingRequests).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(throttled.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('keeps one scheduled check at a time', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const q = queue({ throttledUntil: 1_000_100 });
    scheduleCheckPendingRequests.call(q);
    const first = q.throttleCheckTimeoutId;
    scheduleCheckPendingRequests.call(q);
    expect(q.throttleCheckTimeoutId).toBe(first);
    vi.advanceTimersByTime(100);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('leaves the CLI silent on stderr under Node 24', async () => {
    const result = await runCli(['produce', '--help'], {}, 10_000);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  }, 15_000);
});
