import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBatchEntries, patchedPublishSource } from '../../src/stack/endpoint/fauxqs-batch.ts';
import { fauxqsEntry } from '../../src/stack/endpoint.ts';
import { stackConfig } from '../../src/stack/lib.ts';

// fauxqs as the stack installed it (the global setup starts the stack, installing it first).
const publishFile = join(dirname(fauxqsEntry(stackConfig())), 'sns', 'actions', 'publish.js');

/** fauxqs's own parseBatchEntries: its module loaded once more, the function exported. */
async function fauxqsParseBatchEntries(): Promise<(params: Record<string, string>) => unknown> {
  const url = `${pathToFileURL(publishFile).href}?original`;
  const hooks = registerHooks({
    load(target, context, nextLoad) {
      const loaded = nextLoad(target, context);
      if (target !== url) return loaded;
      return { ...loaded, source: `${String(loaded.source)}\nexport { parseBatchEntries as __original };` };
    },
  });
  try {
    return ((await import(url)) as { __original: (params: Record<string, string>) => unknown }).__original;
  } finally {
    hooks.deregister();
  }
}

/** A PublishBatch form as an SDK could send it, fields in a shuffled order, some entries and attributes incomplete. */
function randomForm(seed: number): Record<string, string> {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const fields: Array<[string, string]> = [
    ['Action', 'PublishBatch'],
    ['TopicArn', 'arn:aws:sns:us-east-1:000000000000:t'],
  ];
  const entries = 1 + Math.floor(random() * 10);
  for (let e = 1; e <= entries; e++) {
    const p = `PublishBatchRequestEntries.member.${e}`;
    if (random() > 0.05) fields.push([`${p}.Id`, `id-${e}`]);
    if (random() > 0.05) fields.push([`${p}.Message`, `{"n":${e}}`]);
    if (random() > 0.7) fields.push([`${p}.Subject`, `s${e}`]);
    if (random() > 0.8) fields.push([`${p}.MessageGroupId`, `g${e}`]);
    if (random() > 0.8) fields.push([`${p}.MessageDeduplicationId`, `d${e}`]);
    const attributes = Math.floor(random() * 5);
    for (let a = 1; a <= attributes; a++) {
      const q = `${p}.MessageAttributes.entry.${a}`;
      if (random() > 0.05) fields.push([`${q}.Name`, `attr${a}`]);
      if (random() > 0.05) fields.push([`${q}.Value.DataType`, a % 2 ? 'String' : 'Binary']);
      fields.push([a % 2 ? `${q}.Value.StringValue` : `${q}.Value.BinaryValue`, `v${a}`]);
    }
  }
  for (let i = fields.length - 1; i > 2; i--) {
    const j = 2 + Math.floor(random() * (i - 1));
    [fields[i], fields[j]] = [fields[j]!, fields[i]!];
  }
  return Object.fromEntries(fields);
}

describe('fauxqs PublishBatch entries in one pass (against the fauxqs the stack runs)', () => {
  it('finds the declaration it replaces in the installed fauxqs', () => {
    expect(patchedPublishSource(readFileSync(publishFile, 'utf8'))).toBeDefined();
  });

  it("reads every form exactly as fauxqs's own parseBatchEntries does", async () => {
    const original = await fauxqsParseBatchEntries();
    for (let seed = 1; seed <= 500; seed++) {
      const form = randomForm(seed);
      expect(parseBatchEntries(form), `form ${seed}`).toEqual(original(form));
    }
  });
});
