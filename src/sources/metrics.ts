/**
 * Prometheus metrics of a failover chain and of a standby producer, added to
 * the registry `produce --metrics-port` serves: which source polls, how often
 * and why the chain switched, and this producer's role in its group.
 *
 * @module
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { PROMETHEUS_METRIC_PREFIX } from '../metrics/registry.ts';
import type { FailoverSourceStats } from './failover.ts';
import type { StandbyRole, StandbySourceStats } from './standby.ts';

type Rows = Array<[Record<string, string>, number]>;

/** What the metrics read: each call gives the current stats (a new chain after a takeover, say). */
export interface ObservedSources {
  failover?: () => FailoverSourceStats | undefined;
  standby?: () => StandbySourceStats | undefined;
}

const ROLES: readonly StandbyRole[] = ['joining', 'standby', 'poller'];

/** Register the metrics of `observed` with `registry`; values are read at scrape time. */
export function registerSourceMetrics(registry: Registry, observed: ObservedSources): void {
  const metric = (
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    read: () => Rows,
  ) => {
    const Kind = kind === 'counter' ? Counter : Gauge;
    new Kind({
      name: PROMETHEUS_METRIC_PREFIX + name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Counter | Gauge) {
        this.reset();
        for (const [labels, value] of read())
          if (this instanceof Counter) this.inc(labels, value);
          else this.set(labels, value);
      },
    });
  };
  const { failover, standby } = observed;
  if (failover) {
    const per = (read: (name: string, stats: FailoverSourceStats) => Rows): Rows => {
      const stats = failover();
      return stats ? Object.keys(stats.sources).flatMap((name) => read(name, stats)) : [];
    };
    metric(
      'gauge',
      'source_active',
      'The source of the failover chain being polled now (1), the others (0).',
      ['source'],
      () => per((name, stats) => [[{ source: name }, stats.active === name ? 1 : 0]]),
    );
    metric(
      'counter',
      'source_switches_total',
      'Times the failover chain left a source, by reason: exhausted (429, credits at 0), blocked (403, 5xx, refused), stale (no newer data), ended, recovered (a preferred source came back).',
      ['source', 'reason'],
      () =>
        per((name, stats) =>
          Object.entries(stats.sources[name]!.left).map(([reason, n]): Rows[number] => [
            { source: name, reason },
            n,
          ]),
        ),
    );
    metric(
      'counter',
      'source_snapshots_total',
      'Snapshots each source of the failover chain gave.',
      ['source'],
      () => per((name, stats) => [[{ source: name }, stats.sources[name]!.snapshots]]),
    );
    metric(
      'counter',
      'source_probes_total',
      'Probes of a preferred source while a fallback polled.',
      ['source'],
      () => per((name, stats) => [[{ source: name }, stats.sources[name]!.probes]]),
    );
  }
  if (standby) {
    metric(
      'gauge',
      'producer_role',
      "This producer's role in its standby group: 1 for the current one.",
      ['role'],
      () => {
        const stats = standby();
        return stats ? ROLES.map((role): Rows[number] => [{ role }, stats.role === role ? 1 : 0]) : [];
      },
    );
    metric(
      'counter',
      'producer_elections_total',
      'Times this producer became the poller of its group.',
      [],
      () => {
        const stats = standby();
        return stats ? [[{}, stats.elected]] : [];
      },
    );
    metric(
      'counter',
      'producer_takeover_skipped_total',
      'Snapshots left out after a takeover because the topic already held one as new.',
      [],
      () => {
        const stats = standby();
        return stats ? [[{}, stats.skippedAtTakeover]] : [];
      },
    );
  }
}
