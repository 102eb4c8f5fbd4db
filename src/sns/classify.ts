/**
 * Which SNS failures are worth retrying.
 *
 * @module
 */
/** What the publisher needs to know about an error. */
export interface ErrorClass {
  /** SNS's error code, the error's name, or a Node.js system error code such as `ECONNRESET`. */
  code: string;
  message: string;
  /** Whether sending the same request again may succeed. */
  retryable: boolean;
  /** Whether SNS (or a proxy) asked us to slow down. */
  throttled: boolean;
}

const THROTTLING = /throttl|rate exceeded|toomanyrequests|requestlimitexceeded|slowdown/i;

// Per-entry codes that are transient even when SNS marks them as a sender fault.
const RETRYABLE_ENTRY_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Throttled',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'KMSThrottling',
  'KMSThrottlingException',
]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/**
 * Classify an error thrown by a PublishBatch request. Retryable: throttling
 * (HTTP 429, `Throttled…`), server faults and 5xx, and network errors (no HTTP
 * status at all). Not retryable: other client faults such as a missing topic
 * or denied access, which would fail the same way again.
 */
export function classifyError(error: unknown): ErrorClass {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const code = e.code ?? e.name ?? 'Error';
  const message = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode;
  const throttled =
    status === 429 || e.$retryable?.throttling === true || THROTTLING.test(`${e.name ?? ''} ${code}`);
  if (throttled) return { code, message, retryable: true, throttled };
  const serverFault = e.$fault === 'server' || (status !== undefined && status >= 500);
  const networkError = status === undefined && e.$fault === undefined && e.name !== 'AbortError';
  return { code, message, retryable: serverFault || networkError, throttled: false };
}

/**
 * Whether a per-entry failure from a PublishBatch answer is worth retrying:
 * entries SNS did not blame on the sender, plus throttling and internal
 * errors. Sender faults (invalid parameters, bad attributes) fail the same
 * way again, so they are reported at once.
 */
export function isRetryableEntryFailure(failure: {
  Code?: string | undefined;
  SenderFault?: boolean | undefined;
}): boolean {
  return (
    failure.SenderFault !== true ||
    RETRYABLE_ENTRY_CODES.has(failure.Code ?? '') ||
    THROTTLING.test(failure.Code ?? '')
  );
}
