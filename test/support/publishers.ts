/**
 * Stand-in publishers for unit tests of the batch core and the handler: pure logic, no SNS.
 * They answer by position, as `SnsPublisher.publish` does.
 */
import type { FlightRecord } from '../../src/domain/types.ts';
import type { PublishItem, PublishItemResult, PublishResult } from '../../src/sns/index.ts';

/** The answer in which item `i` ended as `resultOf(item, i)`. */
export function answer<R>(
  items: readonly PublishItem<R>[],
  resultOf: (item: PublishItem<R>, i: number) => PublishItemResult,
): PublishResult<R> {
  const results = items.map(resultOf);
  const failed = results.flatMap((result, index) =>
    result.outcome === 'published'
      ? []
      : [{ index, record: items[index]!.record, code: result.code, message: result.message }],
  );
  return { results, published: items.length - failed.length, failed };
}

/**
 * A publisher that fails the records of the given icao24s with `InternalError` and publishes the
 * rest; it keeps every call's items (records and trace context) for the test to read.
 */
export function fakePublisher(...failIcao24s: string[]) {
  const calls: PublishItem<FlightRecord>[][] = [];
  return {
    calls,
    /** The records of each call. */
    get published(): FlightRecord[][] {
      return calls.map((items) => items.map((item) => item.record));
    },
    /** The traceparent each item carried, across calls. */
    get carried(): Array<string | undefined> {
      return calls.flat().map((item) => item.traceparent);
    },
    async publish(items: readonly PublishItem<FlightRecord>[]): Promise<PublishResult<FlightRecord>> {
      calls.push([...items]);
      return answer(items, ({ record }, i) =>
        failIcao24s.includes(record.icao24)
          ? { outcome: 'failed', code: 'InternalError', message: 'x' }
          : { outcome: 'published', messageId: `m-${calls.length}-${i}` },
      );
    },
  };
}
