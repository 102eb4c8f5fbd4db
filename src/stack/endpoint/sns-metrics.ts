/**
 * SNS's own CloudWatch metrics for the local endpoint, as SNS records them on
 * AWS: namespace `AWS/SNS`, dimension `TopicName`, 1-minute periods:
 *
 * - `NumberOfMessagesPublished` (Count): messages SNS accepted, one per
 *   Publish and one per successful PublishBatch entry;
 * - `NumberOfNotificationsDelivered` (Count): deliveries a subscription took;
 * - `NumberOfNotificationsFailed` (Count): deliveries SNS could not make;
 * - `NumberOfNotificationsFilteredOut` (Count): deliveries a subscription's
 *   filter policy turned down (neither delivered nor failed, as on AWS);
 * - `PublishSize` (Bytes): the size of each published message.
 *
 * fauxqs (which serves SNS here) records none of these, but it reports every
 * message it accepted to a "spy" (`snsStore.spy.addMessage`) right before it
 * fans the message out, synchronously, with the topic and subscriptions as
 * they are at that moment. {@link SnsMetrics.spy} is that hook: it counts the
 * message and works out each subscription's outcome with fauxqs's own filter
 * functions, in the order fauxqs's fan-out takes. Counts are kept per
 * (region, topic, minute) and sent to moto's CloudWatch with PutMetricData
 * every few seconds, one aggregated datum (SampleCount, Sum, Minimum,
 * Maximum) per metric and minute, so every statistic CloudWatch offers stays
 * right; the router flushes first whenever a CloudWatch call passes through
 * it, so a read always sees every message published before it.
 */
import { ConfigError } from '../../errors.ts';

/** The namespace SNS publishes its metrics to. */
export const SNS_METRIC_NAMESPACE = 'AWS/SNS';

/** The metrics this module records, with their CloudWatch units. */
export const SNS_METRIC_UNITS = {
  NumberOfMessagesPublished: 'Count',
  NumberOfNotificationsDelivered: 'Count',
  NumberOfNotificationsFailed: 'Count',
  NumberOfNotificationsFilteredOut: 'Count',
  PublishSize: 'Bytes',
} as const;

export type SnsMetricName = keyof typeof SNS_METRIC_UNITS;

/** A message attribute as fauxqs keeps it. */
interface Attribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** What fauxqs's spy is told about an accepted SNS message (other services report other shapes). */
interface SpyMessage {
  service?: string;
  status?: string;
  topicArn?: string;
  body?: string;
  messageAttributes?: Record<string, Attribute>;
}

/** The parts of fauxqs's SNS and SQS stores the delivery outcome is read from. */
export interface FauxqsStores {
  snsStore: {
    getTopic(arn: string): { name: string; subscriptionArns: string[] } | undefined;
    getSubscription(arn: string):
      | {
          confirmed: boolean;
          protocol: string;
          endpoint: string;
          attributes: Record<string, string | undefined>;
        }
      | undefined;
  };
  sqsStore: { getQueueByArn(arn: string): unknown };
}

/** fauxqs's filter-policy matchers (`dist/sns/filter.js`). */
export interface FauxqsFilters {
  matchesFilterPolicy(policy: unknown, attributes: Record<string, Attribute>): boolean;
  matchesFilterPolicyOnBody(policy: unknown, body: string): boolean;
}

/**
 * The size SNS counts for a message: the body plus each attribute's name,
 * type and value, in UTF-8 bytes (what its 256 KB limit is measured on).
 */
export function publishSize(body: string, attributes: Record<string, Attribute> = {}): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    if (attribute.StringValue) size += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (attribute.BinaryValue) size += Buffer.byteLength(attribute.BinaryValue, 'utf8');
  }
  return size;
}

/** How one message fared with a topic's subscriptions. */
export interface DeliveryOutcome {
  delivered: number;
  failed: number;
  filteredOut: number;
}

/**
 * The outcome of fanning `message` out to the topic's subscriptions, as
 * fauxqs's fan-out does it: unconfirmed subscriptions are skipped; a filter
 * policy that does not match filters the message out (an unreadable policy
 * lets it through, as fauxqs does); fauxqs delivers to SQS only, so any other
 * protocol, or a queue that no longer exists, is a failed delivery.
 */
export function deliveryOutcome(
  stores: FauxqsStores,
  filters: FauxqsFilters,
  topicArn: string,
  body: string,
  attributes: Record<string, Attribute>,
): DeliveryOutcome {
  const outcome: DeliveryOutcome = { delivered: 0, failed: 0, filteredOut: 0 };
  for (const arn of stores.snsStore.getTopic(topicArn)?.subscriptionArns ?? []) {
    const subscription = stores.snsStore.getSubscription(arn);
    if (!subscription?.confirmed) continue;
    const policy = subscription.attributes.FilterPolicy;
    if (policy) {
      let matches = true;
      try {
        const parsed = JSON.parse(policy) as unknown;
        matches =
          subscription.attributes.FilterPolicyScope === 'MessageBody'
            ? filters.matchesFilterPolicyOnBody(parsed, body)
            : filters.matchesFilterPolicy(parsed, attributes);
      } catch {
        matches = true;
      }
      if (!matches) {
        outcome.filteredOut++;
        continue;
      }
    }
    if (subscription.protocol === 'sqs' && stores.sqsStore.getQueueByArn(subscription.endpoint))
      outcome.delivered++;
    else outcome.failed++;
  }
  return outcome;
}

/** Samples of one metric in one minute: what a StatisticSet carries. */
interface StatisticSet {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

/** One metric of one topic in one minute, not yet sent. */
export interface PendingDatum extends StatisticSet {
  region: string;
  topicName: string;
  metric: SnsMetricName;
  /** Start of the minute, ms since the epoch. */
  minute: number;
}

/**
 * The PutMetricData request (AWS query protocol) that adds `data` to
 * namespace `AWS/SNS`: one member per datum, its samples as a StatisticSet.
 */
export function putMetricDataBody(data: readonly PendingDatum[]): string {
  const params = new URLSearchParams({
    Action: 'PutMetricData',
    Version: '2010-08-01',
    Namespace: SNS_METRIC_NAMESPACE,
  });
  data.forEach((datum, index) => {
    const member = `MetricData.member.${index + 1}`;
    params.set(`${member}.MetricName`, datum.metric);
    params.set(`${member}.Dimensions.member.1.Name`, 'TopicName');
    params.set(`${member}.Dimensions.member.1.Value`, datum.topicName);
    params.set(`${member}.Timestamp`, new Date(datum.minute).toISOString());
    params.set(`${member}.Unit`, SNS_METRIC_UNITS[datum.metric]);
    params.set(`${member}.StatisticValues.SampleCount`, String(datum.sampleCount));
    params.set(`${member}.StatisticValues.Sum`, String(datum.sum));
    params.set(`${member}.StatisticValues.Minimum`, String(datum.minimum));
    params.set(`${member}.StatisticValues.Maximum`, String(datum.maximum));
  });
  return params.toString();
}

/** What {@link SnsMetrics} needs from the router. */
export interface SnsMetricsDependencies {
  /** Send a PutMetricData body to CloudWatch (moto) in `region`; rejects when it was not stored. */
  put(region: string, body: string): Promise<void>;
  log(message: string, fields?: Record<string, unknown>): void;
  /** @default Date.now */
  now?(): number;
}

/** Tuning of {@link SnsMetrics}. */
export interface SnsMetricsOptions {
  /** How often pending data is sent, ms. 0: only on {@link SnsMetrics.flush}. @default 5000 */
  flushIntervalMs?: number;
  /** Members per PutMetricData request (AWS takes up to 1000). @default 500 */
  batchSize?: number;
  /** Pending data kept while CloudWatch cannot be reached, in datums; the oldest go first. @default 100000 */
  maxPending?: number;
}

export const defaultSnsMetricsOptions: Required<SnsMetricsOptions> = {
  flushIntervalMs: 5000,
  batchSize: 500,
  maxPending: 100_000,
};

/** {@link defaultSnsMetricsOptions} overlaid with the defined values of `options`, validated. */
export function resolveSnsMetricsOptions(options: SnsMetricsOptions = {}): Required<SnsMetricsOptions> {
  const resolved = { ...defaultSnsMetricsOptions };
  for (const [key, value] of Object.entries(options) as [keyof SnsMetricsOptions, number | undefined][]) {
    if (value !== undefined) resolved[key] = value;
  }
  const check = (key: keyof SnsMetricsOptions, ok: (value: number) => boolean, must: string) => {
    if (!Number.isFinite(resolved[key]) || !ok(resolved[key])) throw new ConfigError(`/options/${key}`, must);
  };
  check('flushIntervalMs', (v) => v >= 0, 'must be a number of milliseconds, 0 or more');
  check('batchSize', (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'must be an integer from 1 to 1000');
  check('maxPending', (v) => Number.isInteger(v) && v >= 1, 'must be a positive integer');
  return resolved;
}

/** Region of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`). */
const regionOf = (topicArn: string, fallback: string) => topicArn.split(':')[3] || fallback;

/** SNS's metrics of the local endpoint: recorded from fauxqs's spy, sent to CloudWatch in batches. */
export class SnsMetrics {
  private readonly options: Required<SnsMetricsOptions>;
  private pending = new Map<string, PendingDatum>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly deps: SnsMetricsDependencies;
  /** Region of a datum whose topic ARN names none. */
  private readonly region: string;

  constructor(deps: SnsMetricsDependencies, region: string, options: SnsMetricsOptions = {}) {
    this.deps = deps;
    this.region = region;
    this.options = resolveSnsMetricsOptions(options);
    if (this.options.flushIntervalMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * The object to set as fauxqs's `snsStore.spy`: it counts each message SNS
   * accepted and its deliveries. Reports of other services are ignored.
   */
  spy(stores: FauxqsStores, filters: FauxqsFilters): { addMessage(message: SpyMessage): void } {
    return {
      addMessage: (message) => {
        if (message.service !== 'sns' || message.status !== 'published' || !message.topicArn) return;
        try {
          const attributes = message.messageAttributes ?? {};
          const body = message.body ?? '';
          const topicName =
            stores.snsStore.getTopic(message.topicArn)?.name ?? message.topicArn.split(':')[5];
          if (!topicName) return;
          const outcome = deliveryOutcome(stores, filters, message.topicArn, body, attributes);
          this.record(message.topicArn, topicName, outcome, publishSize(body, attributes));
        } catch (error) {
          // Never let bookkeeping fail a Publish.
          this.deps.log('SNS metrics: could not record a message', { error: String(error) });
        }
      },
    };
  }

  /** Count one published message of `topicName` and what became of it. */
  record(topicArn: string, topicName: string, outcome: DeliveryOutcome, size: number): void {
    const region = regionOf(topicArn, this.region);
    const minute = Math.floor((this.deps.now ?? Date.now)() / 60_000) * 60_000;
    const add = (metric: SnsMetricName, value: number, samples = 1) => {
      if (samples === 0) return;
      const key = `${region}\n${topicName}\n${metric}\n${minute}`;
      const datum = this.pending.get(key);
      if (datum) {
        datum.sampleCount += samples;
        datum.sum += value * samples;
        datum.minimum = Math.min(datum.minimum, value);
        datum.maximum = Math.max(datum.maximum, value);
        return;
      }
      if (this.pending.size >= this.options.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      this.pending.set(key, {
        region,
        topicName,
        metric,
        minute,
        sampleCount: samples,
        sum: value * samples,
        minimum: value,
        maximum: value,
      });
    };
    add('NumberOfMessagesPublished', 1);
    add('PublishSize', size);
    add('NumberOfNotificationsDelivered', 1, outcome.delivered);
    add('NumberOfNotificationsFailed', 1, outcome.failed);
    add('NumberOfNotificationsFilteredOut', 1, outcome.filteredOut);
  }

  /** Datums not sent yet (for tests and the health endpoint). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Send everything recorded so far; resolves once it is stored (or, when
   * CloudWatch cannot be reached, kept for the next flush). Flushes run one
   * after another, so a read that waits for one sees every earlier message.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.send());
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (this.pending.size === 0) return;
    const taken = [...this.pending.values()];
    this.pending = new Map();
    const byRegion = new Map<string, PendingDatum[]>();
    for (const datum of taken) byRegion.set(datum.region, [...(byRegion.get(datum.region) ?? []), datum]);
    for (const [region, data] of byRegion) {
      for (let start = 0; start < data.length; start += this.options.batchSize) {
        const batch = data.slice(start, start + this.options.batchSize);
        try {
          await this.deps.put(region, putMetricDataBody(batch));
        } catch (error) {
          // Kept (merged with what arrived meanwhile) for the next flush.
          for (const datum of batch) this.merge(datum);
          this.deps.log('SNS metrics: PutMetricData failed, will retry', {
            region,
            datums: batch.length,
            error: String(error),
          });
        }
      }
    }
  }

  private merge(datum: PendingDatum): void {
    const key = `${datum.region}\n${datum.topicName}\n${datum.metric}\n${datum.minute}`;
    const current = this.pending.get(key);
    if (!current) {
      this.pending.set(key, datum);
      return;
    }
    current.sampleCount += datum.sampleCount;
    current.sum += datum.sum;
    current.minimum = Math.min(current.minimum, datum.minimum);
    current.maximum = Math.max(current.maximum, datum.maximum);
  }

  /** Stop the timer and send what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
