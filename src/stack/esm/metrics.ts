/**
 * An event source mapping's CloudWatch metrics, as Lambda publishes them:
 * namespace `AWS/Lambda`, dimension `EventSourceMappingUUID`. `OffsetLag`
 * (records between the topic's end and the group's committed offsets, summed
 * over partitions) always; the event counts only when the mapping's
 * `MetricsConfig.Metrics` contains `EventCount`. Counts are sent as the change
 * since the previous report, so that CloudWatch's `Sum` over a period is the
 * number of events in it.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

/** The metrics' namespace. */
export const ESM_METRIC_NAMESPACE = 'AWS/Lambda';

/**
 * Event-count metrics and the poller stats they are read from: the first of
 * the listed stats the poller has (newer pollers count more precisely).
 */
export const EVENT_COUNT_METRICS: ReadonlyArray<readonly [metric: string, stats: readonly string[]]> = [
  ['PolledEventCount', ['polled', 'recordsIn']],
  ['FilteredOutEventCount', ['filteredOut']],
  ['InvokedEventCount', ['invokedEvents']],
  ['FailedInvokeEventCount', ['failedInvokeEvents']],
  ['DroppedEventCount', ['dropped']],
  ['OnFailureDestinationDeliveredEventCount', ['onFailureDelivered', 'deadLettered']],
];

/** Poller counters (cumulative), by name. */
export type Counters = Readonly<Record<string, unknown>>;

const counter = (stats: Counters, names: readonly string[]): number | undefined => {
  for (const name of names) {
    const value = stats[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
};

/**
 * The data points of one report: `OffsetLag` (when known) and, with
 * `eventCount`, each count's increase since `previous`.
 */
export function metricData(input: {
  uuid: string;
  stats: Counters;
  previous: Counters;
  offsetLag: number | undefined;
  eventCount: boolean;
  timestamp: Date;
}): MetricDatum[] {
  const dimensions = [{ Name: 'EventSourceMappingUUID', Value: input.uuid }];
  const data: MetricDatum[] = [];
  if (input.offsetLag !== undefined) {
    data.push({
      MetricName: 'OffsetLag',
      Dimensions: dimensions,
      Value: input.offsetLag,
      Unit: 'Count',
      Timestamp: input.timestamp,
    });
  }
  if (!input.eventCount) return data;
  for (const [metric, names] of EVENT_COUNT_METRICS) {
    const now = counter(input.stats, names);
    if (now === undefined) continue;
    const before = counter(input.previous, names) ?? 0;
    data.push({
      MetricName: metric,
      Dimensions: dimensions,
      Value: Math.max(0, now - before),
      Unit: 'Count',
      Timestamp: input.timestamp,
    });
  }
  return data;
}

/** Total lag over partitions (the invoker's `lag()`), or undefined when there is none to tell. */
export function totalLag(perPartition: Record<number, number>): number | undefined {
  const values = Object.values(perPartition);
  return values.length ? values.reduce((sum, lag) => sum + lag, 0) : undefined;
}
