/**
 * One Invoke of the function with a batch, and what its outcome means to the
 * poller: success, a partial-batch failure, a function error (counts against
 * retries), a payload too large (split it), or an Invoke that did not run the
 * function (retried until it does, never dead-lettered), with the mapping's
 * `LastProcessingResult` for each.
 *
 * @module
 */
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { RequestTimeoutError } from '../aws/signed-http.ts';
import { ConfigError, LambdaInvokeError } from '../errors.ts';
import {
  buildKafkaEvent,
  type ConsumedRecord,
  eventRecordSize,
  parseBatchResponse,
} from '../handler/event.ts';
import type { Logger } from '../logger.ts';
import type { InvokeTransport } from './invoke-transport.ts';
import type { ResolvedLambdaInvokerOptions } from './options.ts';

/**
 * Values of {@link LambdaInvoker.lastProcessingResult}, after ESM's `LastProcessingResult`.
 * `NONE`, `OK`, `FUNCTION_ERROR`, `SERVICE_ERROR` and `NOT_FOUND` are the strings AWS's
 * mappings report; AWS documents no wording for the other causes, so they follow the same
 * `PROBLEM: …` form.
 */
export const ProcessingResult = {
  NONE: 'No records processed',
  OK: 'OK',
  FUNCTION_ERROR: 'PROBLEM: Function call failed',
  SERVICE_ERROR: 'PROBLEM: Lambda internal error. Please contact Lambda customer support.',
  NOT_FOUND: 'PROBLEM: Function not found',
  THROTTLED: 'PROBLEM: Function call throttled',
  PERMISSION: 'PROBLEM: Insufficient permissions to invoke the function',
  NOT_READY: 'PROBLEM: Function is not ready to be invoked',
  TOO_LARGE: 'PROBLEM: Request payload too large',
  TIMEOUT: 'PROBLEM: Function call timed out',
  CONNECTION: 'PROBLEM: Connection error. Lambda could not be reached',
  REJECTED: 'PROBLEM: Invoke request rejected',
} as const;

export type ProcessingResultValue = (typeof ProcessingResult)[keyof typeof ProcessingResult];

/** What an Invoke came to. */
export type InvokeOutcome =
  /** Every record succeeded (or the function's batchItemFailures were not honoured). */
  | { kind: 'success' }
  /** Records from `failedFrom` on failed; those before it succeeded. */
  | { kind: 'partial'; failedFrom: number }
  /** The function ran and failed, or answered with an invalid partial-batch response. */
  | { kind: 'function-error'; error: LambdaInvokeError }
  /** The batch cannot be sent as one event (413, or not encodable): split it. */
  | { kind: 'too-large'; error: LambdaInvokeError }
  /** Lambda did not run the function (or no answer came): retry, never dead-letter. */
  | { kind: 'not-invoked'; error: LambdaInvokeError; result: ProcessingResultValue };

/** A header's value as text (the first one, when repeated; a header without a value has none). */
export function headerText(
  value: Buffer | string | (Buffer | string)[] | undefined | null,
): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? undefined : first.toString();
}

/** Logged once per poller when a function answers with the legacy key (see `parseBatchResponse`). */
export const LEGACY_KEY_WARNING =
  'the function names failed records with the key "topic-partition" (Powertools for AWS Lambda before its Kafka fix); AWS reads "partition" and may fail the whole batch: answer { partition: "<topic>-<partition>", offset }';

/** Settings of one Invoke. */
export interface InvokeSettings {
  functionName: string;
  bootstrapServers: readonly string[];
  reportBatchItemFailures: boolean;
  /** Abandon the Invoke after this long, ms. */
  timeoutMs: number;
  /** Called when the answer named records with the key `topic-partition` (read, but AWS's key is `partition`). */
  onLegacyKey?: () => void;
}

/** AWS Lambda's longest function timeout, used when the function's own cannot be read. */
export const MAX_FUNCTION_TIMEOUT_MS = 900_000;

/** Bytes of the event envelope around the records. */
const EVENT_ENVELOPE_BYTES = 200;

/** Split records into invocation batches by count and by event size. */
export function splitBatches<R extends ConsumedRecord>(
  records: readonly R[],
  batchSize: number,
  maxBytes: number,
): R[][] {
  const batches: R[][] = [];
  let current: R[] = [];
  let bytes = EVENT_ENVELOPE_BYTES;
  for (const record of records) {
    const size = eventRecordSize(record);
    if (current.length > 0 && (current.length >= batchSize || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = EVENT_ENVELOPE_BYTES;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

/** True when `record` alone makes an event over `maxBytes`: no Invoke can carry it. */
export function tooLargeAlone(record: ConsumedRecord, maxBytes: number): boolean {
  return EVENT_ENVELOPE_BYTES + eventRecordSize(record) > maxBytes;
}

type SdkError = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };

/** Why an Invoke that got no function answer failed, as a processing result. */
function classify(error: SdkError, timedOut: boolean): ProcessingResultValue | 'too-large' {
  const status = error.$metadata?.httpStatusCode;
  const name = error.name ?? '';
  if (status === 413 || name === 'RequestTooLargeException') return 'too-large';
  if (timedOut) return ProcessingResult.TIMEOUT;
  if (status === 404 || name === 'ResourceNotFoundException') return ProcessingResult.NOT_FOUND;
  if (status === 429 || name === 'TooManyRequestsException') return ProcessingResult.THROTTLED;
  if (status === 403 || status === 401 || /AccessDenied|ExpiredToken|UnrecognizedClient|Signature/.test(name))
    return ProcessingResult.PERMISSION;
  if (status === 409 || name === 'ResourceConflictException' || name === 'ResourceNotReadyException')
    return ProcessingResult.NOT_READY;
  if (status !== undefined && status >= 500) return ProcessingResult.SERVICE_ERROR;
  if (status === undefined)
    return /Timeout|Abort/.test(name) ? ProcessingResult.TIMEOUT : ProcessingResult.CONNECTION;
  return ProcessingResult.REJECTED;
}

/** The function's error answer as one line: `errorType: errorMessage`. */
function functionErrorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    return `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? text}`;
  } catch {
    return text; // not JSON: keep the text
  }
}

/** Invoke the function once with `records` (one partition's, in order) and classify the outcome. */
export async function invokeOnce(
  transport: InvokeTransport,
  records: readonly ConsumedRecord[],
  settings: InvokeSettings,
): Promise<InvokeOutcome> {
  let payload: Buffer;
  try {
    payload = Buffer.from(JSON.stringify(buildKafkaEvent(records, settings.bootstrapServers)));
  } catch (error) {
    // A record the event cannot carry: split until it is alone, then it is unrepresentable.
    return {
      kind: 'too-large',
      error: new LambdaInvokeError(`the event could not be built: ${(error as Error).message}`, undefined, {
        cause: error,
      }),
    };
  }
  try {
    const answer = await transport.invoke(settings.functionName, payload, settings.timeoutMs);
    const text = answer.payload;
    if (answer.functionError) {
      const error = new LambdaInvokeError(functionErrorMessage(text), answer.functionError, {
        retryable: true,
      });
      return { kind: 'function-error', error };
    }
    // Without ReportBatchItemFailures AWS reads no answer: the batch succeeded.
    if (!settings.reportBatchItemFailures) return { kind: 'success' };
    let response: unknown;
    try {
      response = text ? JSON.parse(text) : null;
    } catch {
      response = null;
    }
    const verdict = parseBatchResponse(response, records);
    if (verdict.kind === 'invalid') {
      // As with AWS's event source mapping: the whole batch failed, nothing is committed.
      const error = new LambdaInvokeError(`invalid partial-batch response: ${verdict.reason}`, undefined, {
        retryable: true,
      });
      return { kind: 'function-error', error };
    }
    if (verdict.kind === 'partial' && verdict.legacyKey) settings.onLegacyKey?.();
    const { topic, partition } = records[0]!;
    const failedFrom = verdict.kind === 'partial' ? verdict.failedFrom[`${topic}-${partition}`] : undefined;
    return failedFrom === undefined ? { kind: 'success' } : { kind: 'partial', failedFrom };
  } catch (caught) {
    const e = caught as SdkError;
    const timedOut = caught instanceof RequestTimeoutError;
    const error = new LambdaInvokeError(
      timedOut
        ? `Invoke timed out after ${settings.timeoutMs} ms`
        : `${e.name ?? 'Error'}: ${e.message ?? String(caught)}`,
      undefined,
      { cause: caught, retryable: true },
    );
    const kind = classify(e, timedOut);
    return kind === 'too-large' ? { kind, error } : { kind: 'not-invoked', error, result: kind };
  }
}

/**
 * The function's timeout in ms, from GetFunctionConfiguration; `undefined` when it cannot be
 * read (e.g. no permission for it: invoking may still be allowed). A missing function is a
 * configuration error: the bridge refuses to start rather than consume and dead-letter.
 */
export async function functionTimeoutMs(
  lambda: LambdaClient,
  functionName: string,
): Promise<number | undefined> {
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return typeof config?.Timeout === 'number' ? config.Timeout * 1000 : undefined;
  } catch (caught) {
    const e = caught as SdkError;
    if (e.name === 'ResourceNotFoundException' || e.$metadata?.httpStatusCode === 404) {
      throw new ConfigError(
        '/options/functionName',
        `names no Lambda function: '${functionName}' (${e.message ?? e.name})`,
        {
          cause: caught,
        },
      );
    }
    return undefined;
  }
}

/**
 * The Invoke timeout: `invokeTimeoutMs`, or the function's timeout plus
 * `invokeTimeoutMarginMs`. Checks that the function exists either way (a `ConfigError` if not).
 */
export async function invokeTimeoutMs(
  lambda: LambdaClient,
  options: Pick<ResolvedLambdaInvokerOptions, 'functionName' | 'invokeTimeoutMs' | 'invokeTimeoutMarginMs'>,
  logger: Logger,
): Promise<number> {
  const functionMs = await functionTimeoutMs(lambda, options.functionName);
  if (options.invokeTimeoutMs !== undefined) return options.invokeTimeoutMs;
  if (functionMs === undefined)
    logger.warn("could not read the function's configuration; Invokes time out after Lambda's longest", {
      functionName: options.functionName,
    });
  return (functionMs ?? MAX_FUNCTION_TIMEOUT_MS) + options.invokeTimeoutMarginMs;
}
