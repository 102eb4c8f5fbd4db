/**
 * The session timeout a broker accepts. Brokers refuse (INVALID_SESSION_TIMEOUT)
 * a consumer group session timeout outside `group.min.session.timeout.ms` …
 * `group.max.session.timeout.ms` (6 s … 30 min by default); a standby group
 * derives a shorter one from the poll interval and, when refused, falls back
 * to the broker's bounds, read with DescribeConfigs when allowed.
 *
 * @module
 */
import type { ConfigResourceTypes } from 'kafkajs';
import type { KafkaLike } from '../kafka/client.ts';

/** DescribeConfigs' resource type of a broker (kafkajs' `ConfigResourceTypes.BROKER`, not importable from ESM). */
const BROKER_RESOURCE = 4 as ConfigResourceTypes;

/** Kafka's default `group.min.session.timeout.ms`, ms: the fallback when the broker's own cannot be read. */
export const BROKER_DEFAULT_MIN_SESSION_TIMEOUT_MS = 6000;

/** The broker settings that bound a group's session timeout. */
export const SESSION_TIMEOUT_SETTINGS = {
  min: 'group.min.session.timeout.ms',
  max: 'group.max.session.timeout.ms',
} as const;

/** Whether `error` (or one of its causes) is the broker refusing the session timeout. */
export function isInvalidSessionTimeout(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'INVALID_SESSION_TIMEOUT') return true;
  }
  return false;
}

/** A broker's session timeout bounds, ms. */
export interface SessionTimeoutRange {
  min: number;
  max: number;
}

/**
 * The nearest session timeout to `wantedMs` the broker accepts: clamped to
 * `range` when known, else at least Kafka's default minimum.
 */
export function fitSessionTimeout(wantedMs: number, range: SessionTimeoutRange | undefined): number {
  if (!range) return Math.max(wantedMs, BROKER_DEFAULT_MIN_SESSION_TIMEOUT_MS);
  return Math.min(range.max, Math.max(range.min, wantedMs));
}

/**
 * The session timeout bounds of one broker of the cluster (DescribeConfigs; all
 * brokers of a cluster normally share them), or `undefined` when they cannot be
 * read (no DescribeConfigs permission, as on many managed clusters).
 */
export async function brokerSessionTimeoutRange(kafka: KafkaLike): Promise<SessionTimeoutRange | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    const broker = brokers[0];
    if (!broker) return undefined;
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: BROKER_RESOURCE,
          name: String(broker.nodeId),
          configNames: [SESSION_TIMEOUT_SETTINGS.min, SESSION_TIMEOUT_SETTINGS.max],
        },
      ],
    });
    const value = (name: string) =>
      Number(resources[0]?.configEntries.find((e) => e.configName === name)?.configValue);
    const min = value(SESSION_TIMEOUT_SETTINGS.min);
    const max = value(SESSION_TIMEOUT_SETTINGS.max);
    return Number.isFinite(min) && Number.isFinite(max) ? { min, max } : undefined;
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
