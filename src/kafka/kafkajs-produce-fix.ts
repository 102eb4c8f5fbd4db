/**
 * Faster produce encoding for kafkajs 2.2.4, byte for byte the same requests.
 *
 * Profiled on `bench/kafka-clients` (10,000-record sends, idempotent, gzip),
 * most of kafkajs's produce CPU went to three things, none of them Kafka:
 * - `new Encoder()` is `Buffer.alloc(512)`, and every record and every header
 *   makes one. A zero-filled buffer over 64 bytes is an `ArrayBuffer` of its
 *   own off V8's heap (~450 ns, then garbage-collector work to free it);
 *   `Buffer.allocUnsafe` slices Node's 8 KiB pool instead (~35 ns). An encoder
 *   only ever exposes the bytes it wrote (`buffer` is `buf.slice(0, offset)`,
 *   every write advances `offset` by what it wrote), so the unused bytes of
 *   its buffer are never read.
 * - `groupMessagesPerPartition` copies each partition's array for every
 *   message (`[...current, message]`): quadratic in the messages of a send
 *   (~2.5 µs a record at 3,000 records a partition).
 * - varints are written through a temporary array and `Buffer.from`, and
 *   every varlong through BigInt arithmetic, though record deltas are small
 *   numbers.
 *
 * The prototype methods (varints, growth) are replaced in place, whenever
 * this runs. The encoder's constructor and the grouping function are module
 * exports that kafkajs's modules copy when they load, so they are swapped in
 * Node's module cache, which only works before the modules that use them are
 * loaded: src/kafka/kafkajs.ts applies this first and then loads kafkajs.
 *
 * @module
 */

/** A CommonJS `require` that resolves kafkajs (the loader's own). */
type Require = NodeJS.Require;

/** The fields and methods of kafkajs's `Encoder` this touches. */
interface EncoderState {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
  writeBufferInternal(buffer: Buffer): void;
  writeUVarInt(value: number): EncoderState;
  writeVarLong(value: unknown): EncoderState;
  writeVarInt(value: number): EncoderState;
  writeInt8(value: number): EncoderState;
  writeVarIntBytes(value: unknown): EncoderState;
  writeVarIntString(value: string): EncoderState;
}

interface EncoderClass {
  new (initialSize?: number): EncoderState;
  prototype: EncoderState;
  sizeOfVarLong(value: unknown): number;
  sizeOfVarInt(value: number): number;
  sizeOfVarIntBytes(value: unknown): number;
}

/** What kafkajs's record encoder takes (src/protocol/recordBatch/record/v0). */
interface RecordFields {
  offsetDelta?: number;
  timestampDelta?: unknown;
  key: unknown;
  value: unknown;
  headers?: Record<string, unknown>;
}

type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;

/** What was applied: `methods` always (when the version matches), `modules` only before kafkajs's producer loaded. */
export interface KafkajsProduceFix {
  methods: boolean;
  modules: boolean;
}

const ENCODER = 'kafkajs/src/protocol/encoder.js';
const GROUP = 'kafkajs/src/producer/groupMessagesPerPartition.js';
const RECORD = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
/**
 * Modules that keep what is swapped from their load: the grouping (sendMessages), the record
 * function (the produce request) and `Encoder` (the record batch); the swap must come before them.
 */
const DEPENDENTS = [
  'kafkajs/src/producer/sendMessages.js',
  'kafkajs/src/protocol/requests/produce/v3/request.js',
  'kafkajs/src/protocol/recordBatch/v0/index.js',
];

/**
 * The first buffer of an encoder made without a size (kafkajs: 512 bytes). Most are a
 * record's header (tens of bytes) or a record (a few hundred: it grows once, pooled):
 * 128 took `bench/kafka-clients`'s produce from ~14 to ~12 µs of CPU a record.
 */
const DEFAULT_SIZE = 127;

const applied = Symbol.for('opensky-stream.kafkajs.produce-encoding');

/** `value`'s zig-zag varint, straight into the encoder's buffer (kafkajs: an array, then `Buffer.from`). */
function writeUVarInt(this: EncoderState, value: number): EncoderState {
  this.ensureAvailable(5);
  const buf = this.buf;
  let offset = this.offset;
  while ((value & 0xffffff80) !== 0) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[offset++] = value & 0x7f;
  this.offset = offset;
  return this;
}

/**
 * A varlong: numbers within ±2^30 (timestamp and offset deltas) have the same
 * zig-zag encoding as a varint; anything else takes kafkajs's BigInt path.
 */
function fastWriteVarLong(original: EncoderState['writeVarLong']) {
  return function writeVarLong(this: EncoderState, value: unknown): EncoderState {
    if (isSmallInteger(value)) {
      return this.writeUVarInt((value << 1) ^ (value >> 31));
    }
    return original.call(this, value);
  };
}

/** Numbers whose zig-zag varlong is their zig-zag varint: integers within ±2^30. */
function isSmallInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -0x40000000 && value < 0x40000000;
}

/** A small integer's varlong size is its varint size (kafkajs: BigInt arithmetic for every varlong). */
function fastSizeOfVarLong(original: EncoderClass['sizeOfVarLong']) {
  return function sizeOfVarLong(this: EncoderClass, value: unknown): number {
    return isSmallInteger(value) ? this.sizeOfVarInt(value) : original.call(this, value);
  };
}

/** kafkajs's growth, without zero-filling bytes that are about to be overwritten or never read. */
function ensureAvailable(this: EncoderState, length: number): void {
  if (this.offset + length > this.buf.length) {
    const grown = Buffer.allocUnsafe(nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }
}

/** kafkajs's `Encoder.nextPowerOfTwo`: the power of two above `value` (512 for its default 511). */
function nextPowerOfTwo(value: number): number {
  return 1 << (31 - Math.clz32(value) + 1);
}

/** kafkajs's grouping, linear: messages by partition, each partition's in order. */
export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: Partitioner;
}): Record<number, unknown[]> {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = result[partition];
    if (list) list.push(message);
    else result[partition] = [message];
  }
  return result;
}

/**
 * kafkajs's record encoder, writing the headers in place (kafkajs: one encoder per header,
 * then copied) into one encoder sized for the record (kafkajs: 512 bytes, grown as needed).
 * The header list and its size are computed as kafkajs does, so what it refuses (a header
 * value that is null, undefined or a number) throws the same way.
 */
function recordEncoder(Encoder: EncoderClass) {
  return function Record({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: RecordFields) {
    const list: Array<{ key: string; value: unknown }> = [];
    for (const name of Object.keys(headers)) {
      const values = headers[name];
      // forEach, as kafkajs's map: holes of a sparse list are skipped.
      if (Array.isArray(values))
        values.forEach((item) => {
          list.push({ key: name, value: item });
        });
      else list.push({ key: name, value: values });
    }
    let headersSize = Encoder.sizeOfVarInt(list.length);
    for (const header of list) {
      const keySize = Buffer.byteLength(header.key);
      const valueSize = Buffer.byteLength(header.value as string);
      headersSize += Encoder.sizeOfVarInt(keySize) + keySize;
      headersSize +=
        header.value === null ? Encoder.sizeOfVarInt(-1) : Encoder.sizeOfVarInt(valueSize) + valueSize;
    }
    const sizeOfBody =
      1 +
      Encoder.sizeOfVarLong(timestampDelta) +
      Encoder.sizeOfVarInt(offsetDelta) +
      Encoder.sizeOfVarIntBytes(key) +
      Encoder.sizeOfVarIntBytes(value) +
      headersSize;
    const encoder = new Encoder(sizeOfBody + 5)
      .writeVarInt(sizeOfBody)
      .writeInt8(0)
      .writeVarLong(timestampDelta)
      .writeVarInt(offsetDelta)
      .writeVarIntBytes(key)
      .writeVarIntBytes(value)
      .writeVarInt(list.length);
    for (const header of list) encoder.writeVarIntString(header.key).writeVarIntBytes(header.value);
    return encoder;
  };
}

/**
 * Apply the fix to the kafkajs that `require` resolves. Idempotent. The caller
 * checks the version (src/kafka/kafkajs.ts).
 */
export function fixKafkajsProduceEncoding(require: Require): KafkajsProduceFix {
  const Encoder = require(ENCODER) as EncoderClass & { [applied]?: KafkajsProduceFix };
  if (Encoder[applied]) return Encoder[applied];
  const proto = Encoder.prototype;
  if (typeof proto.writeUVarInt !== 'function' || typeof proto.writeVarLong !== 'function') {
    return { methods: false, modules: false };
  }
  proto.writeUVarInt = writeUVarInt;
  proto.writeVarLong = fastWriteVarLong(proto.writeVarLong);
  proto.ensureAvailable = ensureAvailable;
  Encoder.sizeOfVarLong = fastSizeOfVarLong(Encoder.sizeOfVarLong);

  let modules = false;
  const cache = require.cache;
  if (!DEPENDENTS.some((id) => cache[require.resolve(id)])) {
    // Same prototype (methods, instanceof) and statics; only the first buffer comes from the pool.
    function PooledEncoder(this: EncoderState, initialSize = DEFAULT_SIZE): void {
      this.buf = Buffer.allocUnsafe(nextPowerOfTwo(initialSize));
      this.offset = 0;
    }
    PooledEncoder.prototype = proto;
    Object.setPrototypeOf(PooledEncoder, Encoder);
    const encoderModule = cache[require.resolve(ENCODER)];
    require(GROUP);
    const groupModule = cache[require.resolve(GROUP)];
    if (encoderModule && groupModule) {
      encoderModule.exports = PooledEncoder;
      groupModule.exports = groupMessagesPerPartition;
      // Loaded only for its cache entry: the produce request takes its export, replaced here.
      require(RECORD);
      const recordModule = cache[require.resolve(RECORD)];
      if (recordModule) recordModule.exports = recordEncoder(PooledEncoder as unknown as EncoderClass);
      modules = true;
    }
  }
  const result = { methods: true, modules };
  Object.defineProperty(Encoder, applied, { value: result });
  return result;
}
