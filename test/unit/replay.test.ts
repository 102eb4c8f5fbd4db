import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ReplayStats, recordingLine, replaySnapshots } from '../../src/opensky/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse } from '../../src/transform/index.ts';

const line = (time: number) =>
  recordingLine(parseStatesResponse(generateSnapshot({ aircraft: 2, time })).response);

function recording(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'replay-')), name);
  writeFileSync(file, text);
  return file;
}

async function replay(file: string) {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const logger = {
    debug() {},
    info() {},
    error() {},
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
  };
  const stats: ReplayStats = { snapshots: 0, malformed: 0, invalid: 0 };
  const times: number[] = [];
  for await (const snapshot of replaySnapshots(file, { logger, stats })) times.push(snapshot.time);
  return { times, warnings, stats };
}

describe('Function: replaySnapshots', () => {
  it('skips a bad line, counting and logging it, and reads every later line', async () => {
    const half = line(2).slice(0, 40); // a line `record` was writing when it was killed
    const file = recording(
      'flights.ndjson',
      [line(1), half, line(3), line(4), 'garbage', line(5), ''].join('\n'),
    );
    const { times, warnings, stats } = await replay(file);
    expect(times).toEqual([1, 3, 4, 5]);
    expect(stats).toEqual({ snapshots: 4, malformed: 2, invalid: 0 });
    expect(warnings.map((w) => w.fields?.line)).toEqual([2, 5]);
  });

  it('counts a half-written last line', async () => {
    const file = recording('flights.ndjson', `${line(1)}\n${line(2)}\n${line(3).slice(0, 50)}`);
    const { times, stats, warnings } = await replay(file);
    expect(times).toEqual([1, 2]);
    expect(stats.malformed).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('reads many lines after a bad one without re-reading them', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => line(i + 10));
    const file = recording('big.ndjson', ['{"time": 1, "states": [', ...lines].join('\n'));
    const started = performance.now();
    const { times, stats } = await replay(file);
    expect(times).toHaveLength(3000);
    expect(stats.malformed).toBe(1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('still reads a pretty-printed JSON body that spans lines, and skips schema errors', async () => {
    const pretty = JSON.stringify(generateSnapshot({ aircraft: 3, time: 7 }), null, 2);
    const file = recording('body.json', `${pretty}\n${JSON.stringify({ states: [] })}\n${line(8)}\n`);
    const { times, stats } = await replay(file);
    expect(times).toEqual([7, 8]);
    expect(stats).toEqual({ snapshots: 2, malformed: 0, invalid: 1 });
  });
});
