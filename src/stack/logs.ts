/**
 * The stack's log files, for `opensky-stream stack logs`: one per service
 * (`<runDir>/<name>.log`, the process's stdout and stderr) and `install.log`
 * (downloads and builds).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { logFile, readLastLines, type StackConfig, sleep } from './lib.ts';

/** The logs `stack logs` shows, in the order it shows them. */
export const stackLogNames = ['kafka', 'aws', 'lambda', 'install'] as const;
export type StackLogName = (typeof stackLogNames)[number];

export interface StackLog {
  name: StackLogName;
  path: string;
}

/** The log files of `names` (default: all of them). */
export function stackLogs(cfg: StackConfig, names: readonly StackLogName[] = stackLogNames): StackLog[] {
  return names.map((name) => ({ name, path: logFile(cfg, name) }));
}

/** The last `lines` lines of a log, `undefined` when it does not exist (yet). */
export const lastLines = (log: StackLog, lines: number): string | undefined => readLastLines(log.path, lines);

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readRange(path: string, from: number, to: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export interface FollowOptions {
  /** Stops following. */
  signal: AbortSignal;
  /** Where appended text goes. */
  write: (text: string) => void;
  /** @default 250 */
  intervalMs?: number;
}

/**
 * Print what is appended to `logs` from now on, until `signal` aborts (like
 * `tail -f`, with a `==> file <==` header whenever the output switches files
 * when there are several). A log that shrinks (recreated) is read from its start.
 */
export async function followLogs(logs: readonly StackLog[], options: FollowOptions): Promise<void> {
  const offsets = new Map(logs.map((log) => [log.path, size(log.path)]));
  // One decoder per file: a read may end inside a multi-byte character.
  const decoders = new Map(logs.map((log) => [log.path, new StringDecoder('utf8')]));
  let last: string | undefined = logs.length === 1 ? logs[0]?.path : undefined;
  while (!options.signal.aborted) {
    for (const log of logs) {
      const current = size(log.path);
      let offset = offsets.get(log.path) ?? 0;
      if (current < offset) offset = 0;
      if (current === offset) continue;
      const text = readRange(log.path, offset, current);
      offsets.set(log.path, offset + text.length);
      if (last !== log.path) options.write(`\n==> ${log.path} <==\n`);
      last = log.path;
      options.write(decoders.get(log.path)!.write(text));
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/**
 * The run dir of the local stack whose AWS endpoint answers at `endpoint`, as
 * its `/_stack/health` reports it; `undefined` when no local stack answers
 * there (real AWS, LocalStack, nothing). The stack writes its logs where the
 * `stack up` that started it chose (`.stack/` of a checkout, the state
 * directory of an installed package): asking it beats guessing from this
 * installation's own default.
 */
export async function runningStackRunDir(endpoint: string, timeoutMs = 2000): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('/_stack/health', endpoint), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) return undefined;
    const health = (await response.json()) as { status?: unknown; runDir?: unknown };
    return health.status === 'ok' && typeof health.runDir === 'string' ? health.runDir : undefined;
  } catch {
    return undefined;
  }
}
