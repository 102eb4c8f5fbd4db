/**
 * Options of the local stack's event source mappings (the router reads them
 * from its environment): how the worker processes are restarted and stopped,
 * and how often the mappings' metrics go to CloudWatch.
 */
import { ConfigError } from '../../errors.ts';
import { overlayWithRetry, type ResolvedRetryOptions, type RetryOptions } from '../../util/retry.ts';
import { isIntegerIn } from '../../util/validate.ts';

/** Options of the event source mapping service. */
export interface EsmOptions {
  /**
   * The backoff before a worker that died is started again: the first delay doubles per
   * consecutive failure (full jitter), up to `maxDelayMs`. A mapping's worker is restarted
   * until the mapping is deleted, so `limit` can only be `Infinity` (or `-1`).
   * @default { limit: Infinity, baseMs: 1000, maxDelayMs: 30000 }
   */
  restart?: RetryOptions;
  /**
   * How long a worker may take to stop gracefully (finish and commit the batch in
   * flight, leave the group) before it is killed, ms. @default 35000
   */
  stopTimeoutMs?: number;
  /**
   * How often each worker sends its metrics to CloudWatch, ms. Lambda sends them every
   * minute; the local default is shorter so that a test or a look at the console sees them soon.
   * @default 10000
   */
  metricsIntervalMs?: number;
}

/** Defaults of {@link EsmOptions}. */
export const defaultEsmOptions = {
  restart: { limit: Number.POSITIVE_INFINITY, baseMs: 1000, maxDelayMs: 30_000 },
  stopTimeoutMs: 35_000,
  metricsIntervalMs: 10_000,
} as const satisfies Required<EsmOptions>;

/** Options after defaults. */
export type ResolvedEsmOptions = Required<Omit<EsmOptions, 'restart'>> & { restart: ResolvedRetryOptions };

/** Overlay the defined values of `options` on the defaults and validate; throws {@link ConfigError}. */
export function resolveEsmOptions(options: EsmOptions = {}): ResolvedEsmOptions {
  const resolved = overlayWithRetry<ResolvedEsmOptions>(defaultEsmOptions, options, [
    {
      key: 'restart',
      rules: {
        minBaseMs: 1,
        forever: { only: "a mapping's worker is restarted until the mapping is deleted" },
      },
    },
  ]);
  for (const name of ['stopTimeoutMs', 'metricsIntervalMs'] as const) {
    if (!isIntegerIn(resolved[name], 1)) throw new ConfigError(`/options/${name}`, 'must be an integer ≥ 1');
  }
  return resolved;
}

/**
 * {@link EsmOptions} from the router's environment (in ms): `ESM_RESTART_BASE_MS` and
 * `ESM_RESTART_MAX_MS` (the restart backoff), `ESM_STOP_TIMEOUT_MS`, `ESM_METRICS_INTERVAL_MS`;
 * unset variables keep the defaults.
 */
export function esmOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedEsmOptions {
  const number = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : Number(raw);
  };
  return resolveEsmOptions({
    restart: { baseMs: number('ESM_RESTART_BASE_MS'), maxDelayMs: number('ESM_RESTART_MAX_MS') },
    stopTimeoutMs: number('ESM_STOP_TIMEOUT_MS'),
    metricsIntervalMs: number('ESM_METRICS_INTERVAL_MS'),
  });
}
