/**
 * The parts of Lambda's Invoke API the local router reproduces, as pure
 * functions: how a FunctionName is parsed, the payload limits, the error
 * bodies AWS answers with, and how a function error is told apart from a
 * result (RIE answers both with HTTP 200 and drops the runtime's error-type
 * header, so the router looks at the payload the runtime posted).
 */

/** Largest request (and response) payload of a synchronous invocation, as AWS: 6 MB. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
/** Largest payload of an asynchronous (`Event`) invocation, as AWS: 1 MB. */
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;

/** A FunctionName as the Invoke API accepts it, split into name and qualifier. */
export interface FunctionRef {
  name: string;
  /** `$LATEST`, a version number or an alias; undefined when none was given. */
  qualifier?: string;
}

/**
 * Parse the `{FunctionName}` path segment and the `Qualifier` query parameter:
 * `my-fn`, `my-fn:qualifier`, `123456789012:function:my-fn[:qualifier]`
 * (partial ARN) or `arn:aws:lambda:region:account:function:my-fn[:qualifier]`.
 */
export function parseFunctionRef(rawSegment: string, queryQualifier?: string | null): FunctionRef {
  const decoded = decodeURIComponent(rawSegment);
  const parts = decoded.split(':');
  let name: string;
  let qualifier: string | undefined;
  if (decoded.startsWith('arn:')) {
    name = parts[6] ?? decoded;
    qualifier = parts[7];
  } else if (parts.length >= 3 && parts[1] === 'function') {
    name = parts[2] ?? decoded;
    qualifier = parts[3];
  } else {
    name = parts[0] ?? decoded;
    qualifier = parts[1];
  }
  qualifier = queryQualifier || qualifier || undefined;
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** The ARN Lambda names in errors: with the qualifier when one was given. */
export function functionArn(region: string, accountId: string, ref: FunctionRef): string {
  const base = `arn:aws:lambda:${region}:${accountId}:function:${ref.name}`;
  return ref.qualifier ? `${base}:${ref.qualifier}` : base;
}

/** Body of an Invoke API error (`x-amzn-ErrorType` carries the type), as AWS sends it. */
export function apiErrorBody(message: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({ Type: 'User', message, ...extra });
}

const ERROR_KEYS = new Set(['errorType', 'errorMessage', 'trace', 'stackTrace', 'requestId', 'cause']);

/**
 * True when what the execution environment answered is a function error:
 * the `{errorType, errorMessage, trace}` object a runtime posts to
 * `/invocation/{id}/error` (and that RIE passes through unchanged), RIE's own
 * timeout text, or an HTTP error from RIE. A handler result that happens to be
 * exactly such an object is taken for an error too, the one case this cannot tell.
 */
export function isFunctionError(body: Uint8Array, status: number): boolean {
  if (status >= 400) return true;
  if (body.length === 0 || body.length > 1024 * 1024) return false;
  const text = Buffer.from(body).toString('utf8');
  if (/^Task timed out after /.test(text)) return true;
  if (text[0] !== '{') return false;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return (
      typeof parsed.errorMessage === 'string' &&
      (typeof parsed.errorType === 'string' || parsed.errorType === undefined) &&
      Object.keys(parsed).every((key) => ERROR_KEYS.has(key))
    );
  } catch {
    return false;
  }
}

/**
 * The body of a function error as the Invoke API returns it. RIE reports a
 * timeout as bare text; AWS answers `{"errorType":"Sandbox.Timedout", ...}`.
 */
export function functionErrorBody(body: Uint8Array, requestId: string): Uint8Array {
  const text = Buffer.from(body).toString('utf8');
  if (text.startsWith('{')) return body;
  const timedOut = /^Task timed out after ([\d.]+) seconds/.exec(text);
  const payload = timedOut
    ? {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${requestId} Error: Task timed out after ${Number(timedOut[1]).toFixed(2)} seconds`,
      }
    : {
        errorType: 'Runtime.Unknown',
        errorMessage: `RequestId: ${requestId} Error: ${text || 'the execution environment failed'}`,
      };
  return Buffer.from(JSON.stringify(payload));
}

/** `X-Amz-Log-Result`: base64 of the last 4 KB of the invocation's log. */
export function logTail(log: string): string {
  return Buffer.from(Buffer.from(log, 'utf8').subarray(-4096)).toString('base64');
}

/** Request headers as node:http gives them. */
type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Which AWS service a request is for, from what every SDK sends: the JSON
 * protocol's `X-Amz-Target` (`AmazonSQS.SendMessage`), else the service in
 * the SigV4 credential scope (`Credential=AKID/20260101/us-east-1/sns/aws4_request`).
 * Undefined for unsigned requests without a target.
 */
export function awsServiceOf(headers: Headers): string | undefined {
  const target = header(headers, 'x-amz-target');
  if (target?.startsWith('AmazonSQS.')) return 'sqs';
  const scope = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([A-Za-z0-9-]+)\/aws4_request/.exec(
    header(headers, 'authorization') ?? '',
  );
  return scope?.[1]?.toLowerCase();
}

/**
 * The header the router sends moto's guard (src/stack/aws.ts) its token in:
 * moto answers nothing without it, so neither a web page nor another local
 * user reaches moto directly.
 */
export const MOTO_TOKEN_HEADER = 'x-opensky-stack-token';

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;
/** Content types a web page may POST cross-origin without a preflight. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Why the local endpoint refuses a request, or undefined when it may pass.
 * The endpoint runs code (CreateFunction, then Invoke) as the user, so a web
 * page in the user's browser must not reach it:
 * - the Host must be a loopback name (a DNS-rebinding page sends its own name);
 * - a request with an `Origin` comes from a browser: refused unless the origin
 *   is this endpoint itself. SDKs and the CLI send no Origin.
 * - a request whose fetch metadata (`Sec-Fetch-Site`) says another site made
 *   it: images, forms and links carry no Origin on GET, but browsers send this;
 * - moto's admin API (`/moto-api`), which only the stack itself has a use for.
 * Simple-request content types (form posts) are refused on the Lambda control
 * plane, where no SDK uses them; SNS's own query protocol is a form post, but
 * it never carries a browser's Origin.
 */
export function refusal(headers: Headers, path: string): string | undefined {
  const host = header(headers, 'host') ?? '';
  if (!LOOPBACK_HOST.test(host)) return `Host '${host}' is not a loopback address`;
  const origin = header(headers, 'origin');
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return `Origin '${origin}' is not a URL`;
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) return `cross-origin request from '${origin}'`;
  } else if (origin === 'null') {
    return "cross-origin request from an opaque origin ('null')";
  }
  // Fetch metadata: a request a page made (an image, a form, a link it followed) says so even
  // where no Origin is sent. `none` is the user's own navigation; SDKs send neither.
  const site = header(headers, 'sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site')
    return `request made by another site (Sec-Fetch-Site: ${site})`;
  // moto's admin API (reset, dashboard, state) is the stack's own business, not a client's.
  if (path === '/moto-api' || path.startsWith('/moto-api/')) return "moto's admin API is not served";
  if (path.startsWith('/2015-03-31/functions') || path.startsWith('/2015-03-31/event-source-mappings')) {
    const type = (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (SIMPLE_CONTENT_TYPES.includes(type))
      return `content type '${type}' is not accepted by the Lambda API`;
  }
  return undefined;
}
