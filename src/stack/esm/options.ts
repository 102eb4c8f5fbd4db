/**
 * Options of the local stack's event source mappings (the router reads them
 * from its environment): how the worker processes are restarted and stopped,
 * and how often the mappings' metrics go to CloudWatch.
 */
import { ConfigError } from '../../errors.ts';

/** Options of the event source mapping service. */
export interface EsmOptions {
  /**
   * First delay before a worker that died is started again, ms; it doubles per
   * consecutive failure (full jitter), up to `restartMaxMs`. @default 1000
   */
  restartBaseMs?: number;
  /** Longest restart delay, ms. @default 30000 */
  restartMaxMs?: number;
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
  restartBaseMs: 1000,
  restartMaxMs: 30_000,
  stopTimeoutMs: 35_000,
  metricsIntervalMs: 10_000,
} as const satisfies Required<EsmOptions>;

/** Options after defaults. */
export type ResolvedEsmOptions = Required<EsmOptions>;

/** Overlay the defined values of `options` on the defaults and validate; throws {@link ConfigError}. */
export function resolveEsmOptions(options: EsmOptions = {}): ResolvedEsmOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved: ResolvedEsmOptions = { ...defaultEsmOptions, ...given };
  for (const name of Object.keys(defaultEsmOptions) as Array<keyof ResolvedEsmOptions>) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(`/options/${name}`, 'must be an integer ≥ 1');
  }
  if (resolved.restartMaxMs < resolved.restartBaseMs)
    throw new ConfigError('/options/restartMaxMs', 'must be at least /options/restartBaseMs');
  return resolved;
}

/** {@link EsmOptions} from the router's environment (`ESM_*`, in ms); unset variables keep the defaults. */
export function esmOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedEsmOptions {
  const number = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : Number(raw);
  };
  return resolveEsmOptions({
    restartBaseMs: number('ESM_RESTART_BASE_MS'),
    restartMaxMs: number('ESM_RESTART_MAX_MS'),
    stopTimeoutMs: number('ESM_STOP_TIMEOUT_MS'),
    metricsIntervalMs: number('ESM_METRICS_INTERVAL_MS'),
  });
}
