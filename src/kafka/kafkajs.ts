/**
 * kafkajs as this package loads it: every value this package takes from
 * kafkajs comes from here (types may be imported from 'kafkajs' directly;
 * test/unit/kafkajs-fixes.test.ts checks that), so its fixes are in place
 * before kafkajs's own modules load:
 * - ./request-queue-fix.ts: no negative timeouts, no 1 ms timer per connection;
 * - ./kafkajs-produce-fix.ts: produce encoding without per-record `Buffer.alloc`
 *   and without quadratic grouping (the same bytes on the wire).
 *
 * Both apply to the kafkajs versions they were written against only; another
 * version loads unchanged (and the unit tests fail, as a reminder).
 * `OPENSKY_STREAM_KAFKAJS_PRODUCE_FIX=off` keeps kafkajs's own produce encoding
 * (`npm run bench -- kafka-clients` measures both).
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as KafkaJS from 'kafkajs';
import { fixKafkajsProduceEncoding, type KafkajsProduceFix } from './kafkajs-produce-fix.ts';
import { fixKafkajsRequestQueue, patchedKafkajsVersions } from './request-queue-fix.ts';

const require = createRequire(import.meta.url);

function applyFixes(): { requestQueue: boolean; produce: KafkajsProduceFix } {
  let version: string;
  try {
    ({ version } = require('kafkajs/package.json') as { version: string });
  } catch {
    return { requestQueue: false, produce: { methods: false, modules: false } };
  }
  if (!patchedKafkajsVersions.includes(version)) {
    return { requestQueue: false, produce: { methods: false, modules: false } };
  }
  // The escape hatch: kafkajs's own produce encoding (slower, the same bytes).
  const produce =
    process.env.OPENSKY_STREAM_KAFKAJS_PRODUCE_FIX === 'off'
      ? { methods: false, modules: false }
      : fixKafkajsProduceEncoding(require);
  return { produce, requestQueue: fixKafkajsRequestQueue(import.meta.url) };
}

/** Which fixes are in place in this process (`produce.modules` is false when kafkajs's producer loaded first). */
export const kafkajsFixes = applyFixes();

const kafkajs = require('kafkajs') as typeof KafkaJS;

export const Kafka: typeof KafkaJS.Kafka = kafkajs.Kafka;
export type Kafka = KafkaJS.Kafka;
export const logLevel: typeof KafkaJS.logLevel = kafkajs.logLevel;
export const CompressionTypes: typeof KafkaJS.CompressionTypes = kafkajs.CompressionTypes;
export const Partitioners: typeof KafkaJS.Partitioners = kafkajs.Partitioners;
export const AssignerProtocol: typeof KafkaJS.AssignerProtocol = kafkajs.AssignerProtocol;
export const PartitionAssigners: typeof KafkaJS.PartitionAssigners = kafkajs.PartitionAssigners;
