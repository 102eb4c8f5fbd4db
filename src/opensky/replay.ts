/**
 * Recordings: snapshots saved as NDJSON (one `/states/all` body per line) and
 * replayed later in place of the live API, e.g. offline or for backfills.
 *
 * @module
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseStatesResponse, stateVectorToArray } from '../domain/state-vector.ts';
import { ValidationError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { pause } from '../util/retry.ts';
import { type Snapshot, snapshotOf } from './source.ts';

/** One NDJSON line of a recording: the API's body, state vectors as arrays. */
export function recordingLine(snapshot: Pick<Snapshot, 'time' | 'states'>): string {
  return JSON.stringify({ time: snapshot.time, states: snapshot.states.map(stateVectorToArray) });
}

/** Counters of a replay, updated in place while it runs. */
export interface ReplayStats {
  /** Snapshots yielded. */
  snapshots: number;
  /** Lines (or multi-line bodies) that are not JSON, e.g. a half-written last line: logged and skipped. */
  malformed: number;
  /** JSON bodies that do not match the `/states/all` schema: logged and skipped. */
  invalid: number;
}

/** Options of {@link replaySnapshots}. */
export interface ReplayOptions {
  /** Pause between snapshots, ms; 0 replays as fast as the consumer takes them. @default 0 */
  intervalMs?: number;
  /** Replay the files again and again. @default false */
  loop?: boolean;
  /** Counters to update while replaying (pass an object to read them). */
  stats?: ReplayStats;
  signal?: AbortSignal;
  logger?: Logger;
}

/** A pretty-printed body longer than this is given up on. */
const MAX_BODY_CHARS = 64 * 1024 * 1024;

function recordingFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => /\.(nd)?jsonl?$/.test(name))
    .sort()
    .map((name) => join(path, name));
}

const parse = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/**
 * Snapshots from a recording: an NDJSON file (one body per line), a JSON file
 * with one body, or a directory of either (in name order). Lines that are not
 * JSON (a half-written last line, say) and bodies that do not match the schema
 * are counted, logged and skipped; reading goes on with the next line.
 */
export async function* replaySnapshots(path: string, options: ReplayOptions = {}): AsyncGenerator<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const stats = options.stats ?? { snapshots: 0, malformed: 0, invalid: 0 };
  const files = recordingFiles(path);
  do {
    for (const file of files) {
      const lines = createInterface({
        input: createReadStream(file, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      // A pretty-printed body spans lines: `pending` holds it from the line that opened it.
      let pending = '';
      let pendingLine = 0;
      let lineNo = 0;
      const skipPending = () => {
        stats.malformed++;
        logger.warn('skipped an unreadable recording line', {
          file,
          line: pendingLine,
          skipped: stats.malformed,
        });
        pending = '';
      };
      for await (const line of lines) {
        lineNo++;
        let body: unknown;
        if (line.startsWith('{') || (!pending && line.trimStart().startsWith('{'))) {
          // A body starts here (a recording line, or the first line of a pretty-printed body):
          // whatever was pending never parsed.
          if (pending) skipPending();
          const parsed = parse(line);
          if (!parsed.ok) {
            pending = line;
            pendingLine = lineNo;
            continue;
          }
          body = parsed.value;
        } else if (pending) {
          pending += `\n${line}`;
          // Only a line that closes an object can complete the body: parse then, not on every line.
          if (!line.trimEnd().endsWith('}')) {
            if (pending.length > MAX_BODY_CHARS) skipPending();
            continue;
          }
          const parsed = parse(pending);
          if (!parsed.ok) continue;
          body = parsed.value;
          pending = '';
        } else {
          if (!line.trim()) continue;
          pendingLine = lineNo;
          skipPending();
          continue;
        }
        if (options.signal?.aborted) return;
        let snapshot: Snapshot;
        try {
          snapshot = snapshotOf(parseStatesResponse(body));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          stats.invalid++;
          logger.warn('skipped a recorded body that does not match the schema', {
            file,
            line: lineNo,
            reason: error.reason,
          });
          continue;
        }
        stats.snapshots++;
        yield snapshot;
        if (options.intervalMs && !(await pause(options.intervalMs, options.signal))) return;
      }
      if (pending) skipPending();
    }
  } while (options.loop && !options.signal?.aborted);
}
