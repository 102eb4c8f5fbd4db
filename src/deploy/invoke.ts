/**
 * `invoke`: one synchronous invocation of a function, with the last 4 KB of
 * its log (`LogType: Tail`), read the way the event source mapping reads the
 * answer (a function error, a partial batch).
 *
 * @module
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** The answer to one invocation. */
export interface InvokeOutcome {
  statusCode: number;
  /** `Unhandled` / `Handled` when the function failed (the payload then describes the error). */
  functionError: string | undefined;
  /** The response payload, parsed when it is JSON. */
  payload: unknown;
  /** The end of the invocation's log (AWS returns at most the last 4 KB). */
  logTail: string;
  executedVersion: string | undefined;
}

/** Invoke `functionName` synchronously with `event`. API errors (no such function, throttling…) are thrown. */
export async function invokeFunction(
  lambda: LambdaClient,
  functionName: string,
  event: unknown,
): Promise<InvokeOutcome> {
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      LogType: 'Tail',
      Payload: typeof event === 'string' ? event : JSON.stringify(event),
    }),
  );
  const text = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '';
  let payload: unknown = text;
  try {
    payload = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: shown as text
  }
  return {
    statusCode: answer.StatusCode ?? 0,
    functionError: answer.FunctionError,
    payload,
    logTail: answer.LogResult ? Buffer.from(answer.LogResult, 'base64').toString('utf8') : '',
    executedVersion: answer.ExecutedVersion,
  };
}

/** How an invocation ended, for the exit code. */
export type InvokeVerdict = 'ok' | 'function-error' | 'partial';

/**
 * `function-error` when the function failed; `partial` when it answered with a
 * non-empty `batchItemFailures` (records the event source would retry);
 * otherwise `ok`.
 */
export function invokeVerdict(outcome: Pick<InvokeOutcome, 'functionError' | 'payload'>): InvokeVerdict {
  if (outcome.functionError) return 'function-error';
  const failures = (outcome.payload as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  return Array.isArray(failures) && failures.length > 0 ? 'partial' : 'ok';
}
