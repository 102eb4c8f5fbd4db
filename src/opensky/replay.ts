/**
 * Recordings: snapshots saved as NDJSON (one `/states/all` body per line) and
 * replayed later in place of the live API, e.g. offline or for backfills.
 *
 * @module
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ValidationError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { RawStatesBody } from '../synthetic/generator.ts';
import { parseStatesResponse, stateVectorToArray } from '../transform/state-vector.ts';
import { pause } from '../util/retry.ts';
import { type Snapshot, snapshotOf } from './source.ts';

/** One NDJSON line of a recording: the API's body, state vectors as arrays. */
export function recordingLine(snapshot: Pick<Snapshot, 'time' | 'states'>): string {
  return JSON.stringify({ time: snapshot.time, states: snapshot.states.map(stateVectorToArray) });
}

/** Options of {@link replaySnapshots}. */
export interface ReplayOptions {
  /** Pause between snapshots, ms; 0 replays as fast as the consumer takes them. @default 0 */
  intervalMs?: number;
  /** Replay the files again and again. @default false */
  loop?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

function recordingFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => /\.(nd)?jsonl?$/.test(name))
    .sort()
    .map((name) => join(path, name));
}

/**
 * Snapshots from a recording: an NDJSON file (one body per line), a JSON file
 * with one body, or a directory of either (in name order). Malformed lines are
 * logged and skipped.
 */
export async function* replaySnapshots(path: string, options: ReplayOptions = {}): AsyncGenerator<Snapshot> {
  const logger = options.logger ?? silentLogger;
  const files = recordingFiles(path);
  do {
    for (const file of files) {
      const lines = createInterface({
        input: createReadStream(file, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let text = '';
      let lineNo = 0;
      for await (const line of lines) {
        lineNo++;
        text += `${line}\n`;
        let body: RawStatesBody;
        try {
          body = JSON.parse(text);
        } catch {
          // A pretty-printed JSON body spans lines: keep reading until it parses.
          if (text.length < 64 * 1024 * 1024) continue;
          logger.warn('skipped an unreadable recording line', { file, line: lineNo });
          text = '';
          continue;
        }
        text = '';
        if (options.signal?.aborted) return;
        try {
          yield snapshotOf(parseStatesResponse(body));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          logger.warn('skipped a recorded body that does not match the schema', {
            file,
            line: lineNo,
            reason: error.reason,
          });
        }
        if (options.intervalMs && !(await pause(options.intervalMs, options.signal))) return;
      }
      if (text.trim()) logger.warn('recording ends with an incomplete body', { file });
    }
  } while (options.loop && !options.signal?.aborted);
}
