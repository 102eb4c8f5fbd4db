/**
 * Input checks: counts and durations must be positive, a negative duration is
 * named rather than parsed as flags, createPipeline checks its mode when
 * called, and a log field cannot overwrite the line's own keys.
 */
import { describe, expect, it } from 'vitest';
import { joinNegativeValues } from '../../src/cli/options.ts';
import { createJsonLogger } from '../../src/logger.ts';
import { createPipeline, type PipelineOptions } from '../../src/pipeline/create-pipeline.ts';
import { runCli } from '../support/cli.ts';

describe('CLI: counts and durations must be positive (exit 2, naming the flag)', () => {
  it.each([
    [['produce', '--synthetic', '-5'], /--synthetic must be a whole number of at least 1 \(got -5\)/],
    [
      ['produce', '--synthetic', '3', '--max-snapshots', '-2'],
      /--max-snapshots must be a whole number of at least 1/,
    ],
    [
      ['produce', '--synthetic', '3', '--interval', '-1s'],
      /--interval must be a positive duration .*\(got '-1s'\)/,
    ],
    [['produce', '--synthetic', '3', '--interval', '0s'], /--interval must be a positive duration/],
    [['record', 'out.ndjson', '--duration', '-3m'], /--duration must be a positive duration/],
    [['invoke', '--sample', '0'], /--sample must be a whole number of at least 1/],
    [['logs', '--since', '-5m'], /--since must be a positive duration/],
    [['deploy', '--code', '/nonexistent/fn.zip'], /--code \/nonexistent\/fn\.zip does not exist/],
    [['deploy', '--handler', 'app.handler'], /--handler goes with --code/],
    [['deploy', '--timeout', '0', '--endpoint-url', 'http://127.0.0.1:9'], /\/options\/timeout must be/],
    [['invoke', '--event', 'e.json', '--sample', '3'], /mutually exclusive/],
    [['destroy'], /--yes is needed to destroy without a terminal/],
  ])(
    '%j',
    async (args, message) => {
      const result = await runCli(args, {}, 10_000);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    },
    15_000,
  );
});

describe('Function: joinNegativeValues', () => {
  it('joins a negative non-number to the long flag before it, and leaves the rest alone', () => {
    expect(joinNegativeValues(['produce', '--interval', '-1s', '--synthetic', '-5', '-f'])).toEqual([
      'produce',
      '--interval=-1s',
      '--synthetic',
      '-5',
      '-f',
    ]);
    expect(joinNegativeValues(['--since=5m', '-2h'])).toEqual(['--since=5m', '-2h']);
  });
});

describe('Function: createPipeline', () => {
  it('refuses an unknown mode when called, not in run()', () => {
    expect(() => createPipeline({ mode: 'inprocess' } as unknown as PipelineOptions)).toThrow(
      "/options/mode must be one of produce, bridge, in-process, got 'inprocess'",
    );
  });
});

describe('Function: createJsonLogger', () => {
  it("keeps the line's own level, time and msg; same-named fields are written as field_<name>", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line), base: { msg: 'base' } });
    logger.info('hello', { time: 42, level: 'fatal', other: 1 });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'hello',
      field_time: 42,
      field_level: 'fatal',
      field_msg: 'base',
      other: 1,
    });
    expect(Date.parse(line.time as string)).toBeGreaterThan(0);
  });
});
