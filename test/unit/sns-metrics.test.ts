/**
 * The local endpoint's SNS metrics as pure logic: which subscriptions a message
 * counts as delivered, failed or filtered out, the size SNS counts, the
 * PutMetricData request, and the batching (one aggregated datum per metric,
 * topic and minute; kept for the next flush when CloudWatch cannot be reached).
 * Against fauxqs and moto: test/integration/sns-metrics.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isOpenSkyStreamError } from '../../src/errors.ts';
import {
  deliveryOutcome,
  type FauxqsFilters,
  type FauxqsStores,
  publishSize,
  putMetricDataBody,
  resolveSnsMetricsOptions,
  SnsMetrics,
} from '../../src/stack/endpoint/sns-metrics.ts';

const topicArn = 'arn:aws:sns:eu-west-1:000000000000:flights';

/** A topic with these subscriptions (by ARN), and the queues that exist. */
function stores(
  subscriptions: Record<
    string,
    { protocol?: string; endpoint: string; confirmed?: boolean; policy?: string }
  >,
  queues: string[],
): FauxqsStores {
  return {
    snsStore: {
      getTopic: (arn) =>
        arn === topicArn ? { name: 'flights', subscriptionArns: Object.keys(subscriptions) } : undefined,
      getSubscription: (arn) => {
        const sub = subscriptions[arn];
        return sub
          ? {
              confirmed: sub.confirmed ?? true,
              protocol: sub.protocol ?? 'sqs',
              endpoint: sub.endpoint,
              attributes: { FilterPolicy: sub.policy },
            }
          : undefined;
      },
    },
    sqsStore: { getQueueByArn: (arn) => (queues.includes(arn) ? {} : undefined) },
  };
}

/** Matches when the message's `origin_country` attribute is one of the policy's. */
const filters: FauxqsFilters = {
  matchesFilterPolicy: (policy, attributes) =>
    ((policy as { origin_country: string[] }).origin_country ?? []).includes(
      attributes.origin_country?.StringValue ?? '',
    ),
  matchesFilterPolicyOnBody: () => false,
};

describe('deliveryOutcome', () => {
  it('counts delivered, failed (no queue, not SQS) and filtered out, and skips unconfirmed subscriptions', () => {
    const s = stores(
      {
        a: { endpoint: 'q1' },
        b: { endpoint: 'q1', policy: '{"origin_country":["France"]}' },
        c: { endpoint: 'q1', policy: '{"origin_country":["Germany"]}' },
        d: { endpoint: 'gone' },
        e: { protocol: 'https', endpoint: 'https://example.test/' },
        f: { endpoint: 'q1', confirmed: false },
        g: { endpoint: 'q1', policy: 'not json' },
      },
      ['q1'],
    );
    const attributes = { origin_country: { DataType: 'String', StringValue: 'Germany' } };
    expect(deliveryOutcome(s, filters, topicArn, '{}', attributes)).toEqual({
      delivered: 3, // a, c, and g: an unreadable policy lets the message through, as fauxqs does
      failed: 2,
      filteredOut: 1,
    });
  });
});

describe('publishSize', () => {
  it('is the UTF-8 bytes of the body and of each attribute name, type and value', () => {
    expect(publishSize('héllo')).toBe(6);
    expect(publishSize('x', { origin_country: { DataType: 'String', StringValue: 'Österreich' } })).toBe(
      1 + 'origin_country'.length + 'String'.length + Buffer.byteLength('Österreich'),
    );
  });
});

describe('putMetricDataBody', () => {
  it('sends each datum as a StatisticSet in AWS/SNS with the TopicName dimension, its unit and minute', () => {
    const body = new URLSearchParams(
      putMetricDataBody([
        {
          region: 'eu-west-1',
          topicName: 'flights',
          metric: 'PublishSize',
          minute: Date.UTC(2026, 0, 1, 12, 5),
          sampleCount: 3,
          sum: 30,
          minimum: 5,
          maximum: 20,
        },
      ]),
    );
    expect(Object.fromEntries(body)).toEqual({
      Action: 'PutMetricData',
      Version: '2010-08-01',
      Namespace: 'AWS/SNS',
      'MetricData.member.1.MetricName': 'PublishSize',
      'MetricData.member.1.Dimensions.member.1.Name': 'TopicName',
      'MetricData.member.1.Dimensions.member.1.Value': 'flights',
      'MetricData.member.1.Timestamp': '2026-01-01T12:05:00.000Z',
      'MetricData.member.1.Unit': 'Bytes',
      'MetricData.member.1.StatisticValues.SampleCount': '3',
      'MetricData.member.1.StatisticValues.Sum': '30',
      'MetricData.member.1.StatisticValues.Minimum': '5',
      'MetricData.member.1.StatisticValues.Maximum': '20',
    });
  });
});

describe('SnsMetrics', () => {
  const sent: Array<{ region: string; params: URLSearchParams }> = [];
  let clock = Date.UTC(2026, 0, 1, 12, 0, 30);
  let failing = false;
  const metrics = new SnsMetrics(
    {
      put: async (region, body) => {
        if (failing) throw new Error('moto is down');
        sent.push({ region, params: new URLSearchParams(body) });
      },
      log: () => undefined,
      now: () => clock,
    },
    'us-east-1',
    { flushIntervalMs: 0 },
  );
  /** What was sent, as `metric minute → [samples, sum, min, max]`. */
  const summary = () =>
    Object.fromEntries(
      sent.flatMap(({ params }) =>
        [...params.keys()]
          .filter((key) => key.endsWith('.MetricName'))
          .map((key) => {
            const member = key.slice(0, -'.MetricName'.length);
            const get = (name: string) => Number(params.get(`${member}.${name}`));
            return [
              `${params.get(key)} ${params.get(`${member}.Timestamp`)!.slice(11, 16)}`,
              [
                get('StatisticValues.SampleCount'),
                get('StatisticValues.Sum'),
                get('StatisticValues.Minimum'),
                get('StatisticValues.Maximum'),
              ],
            ];
          }),
      ),
    );

  it('aggregates per metric and minute, in the topic ARN region, and sends nothing twice', async () => {
    metrics.record(topicArn, 'flights', { delivered: 2, failed: 0, filteredOut: 1 }, 100);
    metrics.record(topicArn, 'flights', { delivered: 1, failed: 1, filteredOut: 0 }, 300);
    clock += 60_000;
    metrics.record(topicArn, 'flights', { delivered: 0, failed: 0, filteredOut: 0 }, 50);
    await metrics.flush();
    expect(sent.map((s) => s.region)).toEqual(['eu-west-1']);
    expect(summary()).toEqual({
      'NumberOfMessagesPublished 12:00': [2, 2, 1, 1],
      'PublishSize 12:00': [2, 400, 100, 300],
      'NumberOfNotificationsDelivered 12:00': [3, 3, 1, 1],
      'NumberOfNotificationsFailed 12:00': [1, 1, 1, 1],
      'NumberOfNotificationsFilteredOut 12:00': [1, 1, 1, 1],
      'NumberOfMessagesPublished 12:01': [1, 1, 1, 1],
      'PublishSize 12:01': [1, 50, 50, 50],
    });
    sent.length = 0;
    await metrics.flush();
    expect(sent).toEqual([]);
  });

  it('keeps what CloudWatch did not take and sends it, merged with newer data, on the next flush', async () => {
    failing = true;
    metrics.record(topicArn, 'flights', { delivered: 1, failed: 0, filteredOut: 0 }, 10);
    await metrics.flush();
    expect(metrics.pendingCount).toBe(3);
    failing = false;
    metrics.record(topicArn, 'flights', { delivered: 1, failed: 0, filteredOut: 0 }, 30);
    await metrics.flush();
    expect(summary()).toEqual({
      'NumberOfMessagesPublished 12:01': [2, 2, 1, 1],
      'PublishSize 12:01': [2, 40, 10, 30],
      'NumberOfNotificationsDelivered 12:01': [2, 2, 1, 1],
    });
    expect(metrics.pendingCount).toBe(0);
  });

  it('counts only SNS messages fauxqs accepted, through the spy', async () => {
    sent.length = 0;
    const spy = metrics.spy(stores({ a: { endpoint: 'q1' } }, ['q1']), filters);
    spy.addMessage({ service: 'sqs', status: 'published', body: 'x' });
    spy.addMessage({ service: 'sns', status: 'published', topicArn, body: 'hello', messageAttributes: {} });
    await metrics.flush();
    expect(summary()).toEqual({
      'NumberOfMessagesPublished 12:01': [1, 1, 1, 1],
      'PublishSize 12:01': [1, 5, 5, 5],
      'NumberOfNotificationsDelivered 12:01': [1, 1, 1, 1],
    });
  });
});

describe('resolveSnsMetricsOptions', () => {
  it('overlays defined values on the defaults and names a bad one', () => {
    expect(resolveSnsMetricsOptions({ batchSize: 20, maxPending: undefined })).toEqual({
      flushIntervalMs: 5000,
      batchSize: 20,
      maxPending: 100_000,
    });
    const error = (() => {
      try {
        resolveSnsMetricsOptions({ batchSize: 1001 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isOpenSkyStreamError(error) && (error as { path?: string }).path).toBe('/options/batchSize');
  });
});
