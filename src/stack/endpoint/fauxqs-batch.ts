/**
 * SNS PublishBatch's entries read in one pass, in place of fauxqs 2.4.1's
 * `parseBatchEntries` (dist/sns/actions/publish.js), which scans every form
 * field once per entry and again per entry for its attributes: ~110 µs of the
 * endpoint's CPU per PublishBatch of 10 entries with 3 attributes each, 12 %
 * of its busy time in `npm run bench -- e2e`. Same entries, same order, same
 * fields: an entry is kept when it has an Id and a Message, an attribute when
 * it has a Name and a DataType, in the order the form named them first.
 *
 * fauxqs does not export the function, so the router swaps it while the
 * module loads (a `module.registerHooks` load hook, see
 * {@link patchFauxqsPublishBatch}), for the fauxqs version it was written
 * against and only when the original is where it expects it.
 *
 * @module
 */
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

/** An SNS message attribute as fauxqs keeps it. */
export interface FauxqsAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** One PublishBatch entry as fauxqs's `publishBatch` takes it. */
export interface FauxqsBatchEntry {
  id: string;
  message: string;
  subject: string | undefined;
  messageGroupId: string | undefined;
  messageDeduplicationId: string | undefined;
  messageAttributes: Record<string, FauxqsAttribute>;
}

const ENTRY = 'PublishBatchRequestEntries.member.';
const ATTRIBUTE = 'MessageAttributes.entry.';

/** The digits at `from` up to the next '.', or undefined when there are none or no '.' follows. */
function indexAt(key: string, from: number): string | undefined {
  let end = from;
  while (end < key.length && key.charCodeAt(end) >= 48 && key.charCodeAt(end) <= 57) end++;
  if (end === from || key.charCodeAt(end) !== 46) return undefined;
  return key.slice(from, end);
}

/** PublishBatch's entries from its form fields (`params`: field name → value), in one pass. */
export function parseBatchEntries(params: Record<string, string | undefined>): FauxqsBatchEntry[] {
  // Entry index → its attribute indices, both in the order the fields first named them.
  const found = new Map<string, Set<string>>();
  for (const key of Object.keys(params)) {
    if (!key.startsWith(ENTRY)) continue;
    const idx = indexAt(key, ENTRY.length);
    if (idx === undefined) continue;
    let attributes = found.get(idx);
    if (!attributes) {
      attributes = new Set();
      found.set(idx, attributes);
    }
    const rest = ENTRY.length + idx.length + 1;
    if (key.startsWith(ATTRIBUTE, rest)) {
      const attrIdx = indexAt(key, rest + ATTRIBUTE.length);
      if (attrIdx !== undefined) attributes.add(attrIdx);
    }
  }
  const entries: FauxqsBatchEntry[] = [];
  for (const [idx, attrIndices] of found) {
    const prefix = `${ENTRY}${idx}`;
    const id = params[`${prefix}.Id`];
    const message = params[`${prefix}.Message`];
    const messageAttributes: Record<string, FauxqsAttribute> = {};
    const attrPrefix = `${prefix}.${ATTRIBUTE}`;
    for (const attrIdx of attrIndices) {
      const name = params[`${attrPrefix}${attrIdx}.Name`];
      const dataType = params[`${attrPrefix}${attrIdx}.Value.DataType`];
      const stringValue = params[`${attrPrefix}${attrIdx}.Value.StringValue`];
      const binaryValue = params[`${attrPrefix}${attrIdx}.Value.BinaryValue`];
      if (name && dataType) {
        const attribute: FauxqsAttribute = { DataType: dataType };
        if (stringValue !== undefined) attribute.StringValue = stringValue;
        if (binaryValue !== undefined) attribute.BinaryValue = binaryValue;
        messageAttributes[name] = attribute;
      }
    }
    if (id && message) {
      entries.push({
        id,
        message,
        subject: params[`${prefix}.Subject`],
        messageGroupId: params[`${prefix}.MessageGroupId`],
        messageDeduplicationId: params[`${prefix}.MessageDeduplicationId`],
        messageAttributes,
      });
    }
  }
  return entries;
}

/** Where the patched module finds {@link parseBatchEntries}. */
const GLOBAL_KEY = Symbol.for('opensky-stream.fauxqs.parseBatchEntries');
/** fauxqs's declaration, renamed aside; the new one calls ours. */
const DECLARATION = 'function parseBatchEntries(params) {';

/** fauxqs's publish.js with `parseBatchEntries` calling ours; undefined when the original is not found once. */
export function patchedPublishSource(source: string): string | undefined {
  const at = source.indexOf(DECLARATION);
  if (at < 0 || source.indexOf(DECLARATION, at + 1) >= 0) return undefined;
  const replacement =
    `function parseBatchEntries(params) { return globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY.description)})](params); }\n` +
    'function parseBatchEntriesFauxqs(params) {';
  return source.slice(0, at) + replacement + source.slice(at + DECLARATION.length);
}

let patchedUrl: string | undefined;
let applied = false;

/**
 * Have `publishFile` (fauxqs's dist/sns/actions/publish.js) load with the one-pass
 * `parseBatchEntries`. Call before the module is first imported. Returns a function
 * that tells, once the module loaded, whether the swap was made (the original found).
 */
export function patchFauxqsPublishBatch(publishFile: string): () => boolean {
  (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] = parseBatchEntries;
  const url = pathToFileURL(publishFile).href;
  // module.registerHooks: Node 22.15 and 23.5 on; before, fauxqs runs as it is.
  const registerHooks = (nodeModule as Partial<typeof nodeModule>).registerHooks;
  if (patchedUrl === undefined && registerHooks) {
    patchedUrl = url;
    registerHooks({
      load(target, context, nextLoad) {
        const loaded = nextLoad(target, context);
        if (target !== patchedUrl || loaded.source === undefined) return loaded;
        const patched = patchedPublishSource(String(loaded.source));
        if (patched === undefined) return loaded;
        applied = true;
        return { ...loaded, source: patched };
      },
    });
  }
  return () => applied;
}
