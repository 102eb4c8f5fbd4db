import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixKafkajsProduceEncoding, groupMessagesPerPartition } from '../../src/kafka/kafkajs-produce-fix.ts';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A child process that encodes, with the kafkajs it loads, what a produce
 * request carries: records with headers of every shape, small and large
 * timestamp deltas, a record batch plain and gzipped, and 5,000 messages
 * grouped by partition with kafkajs's default partitioner. Prints the bytes'
 * hex and the groups as JSON. `fixed` loads kafkajs through src/kafka/kafkajs.ts.
 */
function encodeInChild(
  fixed: boolean,
  env: NodeJS.ProcessEnv = {},
): {
  encoder: string;
  fixes?: unknown;
  batch: string;
  gzip: string;
  groups: string;
  refusals: string[];
} {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
    let fixes;
    if (${fixed}) ({ kafkajsFixes: fixes } = await import(${JSON.stringify(join(root, 'src/kafka/kafkajs.ts'))}));
    const { Partitioners, CompressionTypes } = require('kafkajs');
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
    const group = require('kafkajs/src/producer/groupMessagesPerPartition.js');
    const records = [];
    const deltas = [0, 1, -1, 63, -64, 64, 300, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 7];
    for (let i = 0; i < 200; i++) {
      records.push(Record({
        offsetDelta: i * 997,
        timestampDelta: deltas[i % deltas.length],
        key: Buffer.from('a' + i.toString(16).padStart(5, '0')),
        value: Buffer.from(JSON.stringify({ i, v: 'x'.repeat(i * 7) })),
        headers: i % 3 === 0 ? {} : { source: 'opensky', 'snapshot-time': String(1700000000 + i), list: ['a', Buffer.from([0, 255, i])] },
      }));
    }
    const batch = (compression) => RecordBatch({ compression, firstTimestamp: 1700000000000, maxTimestamp: 1700000009999,
      lastOffsetDelta: 199, producerId: 42, producerEpoch: 1, firstSequence: 7, records });
    // What kafkajs refuses, refused the same way: a header value that is null, undefined or a number.
    const refusals = [null, undefined, 7].map((bad) => {
      try {
        Record({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { bad } });
        return 'accepted';
      } catch (error) {
        return error.constructor.name + ':' + error.code;
      }
    });
    const plain = await batch(CompressionTypes.None);
    const gzip = await batch(CompressionTypes.GZIP);
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));
    const partitioner = Partitioners.DefaultPartitioner();
    const messages = Array.from({ length: 5000 }, (_, i) => ({ key: 'k' + (i * 7919) % 6007, value: String(i) }));
    const groups = group({ topic: 't', partitionMetadata, messages, partitioner });
    const shape = Object.fromEntries(Object.entries(groups).map(([p, ms]) => [p, ms.map((m) => m.value).join(',')]));
    console.log(JSON.stringify({ fixes, batch: plain.buffer.toString('hex'), gzip: gzip.buffer.toString('hex'), groups: JSON.stringify(shape), refusals, encoder: require('kafkajs/src/protocol/encoder.js').name }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('kafkajs produce encoding fix', () => {
  it('writes the same record batches (plain and gzip) and the same partition groups as kafkajs', () => {
    const original = encodeInChild(false);
    const fixed = encodeInChild(true);
    // Applied in full when src/kafka/kafkajs.ts is what loads kafkajs.
    expect(fixed.fixes).toEqual({ produce: { methods: true, modules: true }, requestQueue: true });
    expect(fixed.batch.length).toBeGreaterThan(40_000);
    expect(fixed.batch).toBe(original.batch);
    expect(fixed.gzip).toBe(original.gzip);
    expect(fixed.groups).toBe(original.groups);
    expect(fixed.refusals).toEqual(original.refusals);
    expect(original.refusals).toEqual([
      'TypeError:ERR_INVALID_ARG_TYPE',
      'TypeError:ERR_INVALID_ARG_TYPE',
      'TypeError:ERR_INVALID_ARG_TYPE',
    ]);
    expect(Object.keys(JSON.parse(fixed.groups))).toEqual(['0', '1', '2']);
  });

  it('leaves kafkajs its own encoding with OPENSKY_STREAM_KAFKAJS_PRODUCE_FIX=off', () => {
    const off = encodeInChild(true, { OPENSKY_STREAM_KAFKAJS_PRODUCE_FIX: 'off' });
    expect(off.fixes).toEqual({ produce: { methods: false, modules: false }, requestQueue: true });
    expect(off.encoder).toBe('Encoder');
    expect(encodeInChild(true).encoder).toBe('PooledEncoder');
  });

  it('writes varints and varlongs that kafkajs decodes back, small and large', () => {
    fixKafkajsProduceEncoding(require);
    const Encoder = require('kafkajs/src/protocol/encoder.js');
    const Decoder = require('kafkajs/src/protocol/decoder.js');
    const values = [
      0,
      1,
      -1,
      63,
      -64,
      64,
      -65,
      8191,
      -8192,
      2 ** 30 - 1,
      -(2 ** 30),
      2 ** 30,
      -(2 ** 30) - 1,
    ];
    for (let i = 0; i < 2000; i++) values.push(Math.round((Math.random() - 0.5) * 2 ** (1 + (i % 31))) + 0); // + 0: no -0
    for (const value of values) {
      const int = new Encoder().writeVarInt(value).buffer;
      expect(new Decoder(int).readVarInt()).toBe(value);
      const long = new Encoder().writeVarLong(value).buffer;
      expect(Number(new Decoder(long).readVarLong())).toBe(value);
      expect(long.length).toBe(Encoder.sizeOfVarLong(value));
      expect(int.length).toBe(Encoder.sizeOfVarInt(value));
    }
    // Beyond ±2^30 the varlong takes kafkajs's own path.
    for (const value of [2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 7, -(2 ** 52)]) {
      const long = new Encoder().writeVarLong(value).buffer;
      expect(Number(new Decoder(long).readVarLong())).toBe(value);
      expect(long.length).toBe(Encoder.sizeOfVarLong(value));
    }
  });

  it('groups messages by partition in order, and nothing without partitions', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ i }));
    const partitioner = ({ message }: { message: unknown }) => (message as { i: number }).i % 3;
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner }),
    ).toEqual({
      0: [{ i: 0 }, { i: 3 }, { i: 6 }, { i: 9 }],
      1: [{ i: 1 }, { i: 4 }, { i: 7 }],
      2: [{ i: 2 }, { i: 5 }, { i: 8 }],
    });
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner })).toEqual(
      {},
    );
  });

  it('is what every kafkajs value in src comes through (types may come from kafkajs itself)', () => {
    // The loader and the fixes it applies first (they load kafkajs's package.json and the modules they patch).
    const loaders = ['kafkajs.ts', 'request-queue-fix.ts', 'kafkajs-produce-fix.ts'].map((f) =>
      join('src', 'kafka', f),
    );
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !loaders.includes(relative(root, path))) {
          const text = readFileSync(path, 'utf8');
          for (const match of text.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+'kafkajs(\/[^']*)?'/g)) {
            const specifiers = match[2] ?? '';
            const valueNames = specifiers
              .replace(/[{}]/g, '')
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s && !s.startsWith('type '));
            if (!match[1] && valueNames.length > 0) offenders.push(`${relative(root, path)}: ${match[0]}`);
          }
          if (/require\(\s*'kafkajs/.test(text))
            offenders.push(`${relative(root, path)}: require('kafkajs…')`);
        }
      }
    };
    walk(join(root, 'src'));
    expect(offenders).toEqual([]);
  });
});
