/**
 * The logging seam. Primitives take any object with these methods (pino,
 * console, Powertools Logger all fit); the default writes JSON lines to stderr.
 *
 * @module
 */

/** A structured logger: a message plus optional fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** The keys of the line itself; a field of the same name is written as `field_<name>`. */
const OWN_KEYS = new Set(['level', 'time', 'msg']);

/** `base` and `fields` merged, keys the line uses for itself renamed so they cannot overwrite it. */
function lineFields(...sources: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source ?? {}))
      out[OWN_KEYS.has(key) ? `field_${key}` : key] = value;
  }
  return out;
}

/**
 * A logger writing one JSON object per line, e.g.
 * `{"level":"info","time":"2026-…","msg":"snapshot","states":4181}`. A field
 * named `level`, `time` or `msg` cannot overwrite the line's own: it is
 * written as `field_level`, `field_time`, `field_msg`.
 */
export function createJsonLogger(
  options: { level?: LogLevel; write?: (line: string) => void; base?: Record<string, unknown> } = {},
): Logger {
  const threshold = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit =
    (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
      if (order[level] < threshold) return;
      write(
        JSON.stringify({
          level,
          time: new Date().toISOString(),
          msg: message,
          ...lineFields(options.base, fields),
        }),
      );
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
