/**
 * How the poller sends one synchronous Invoke: through the SDK client's
 * `send` (its middleware, yours included), or as a signed request of its
 * own (AWS's REST-JSON protocol, to the client's endpoint, region and
 * credentials), which costs the poller about a fifth less CPU per record at
 * the real feed's size (`npm run bench -- e2e`). Both answer alike: the
 * function's payload and `FunctionError`, or an SDK-shaped error when
 * Lambda did not run the function (see `classify` in ./invoke.ts).
 *
 * @module
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  AwsHttpError,
  type AwsHttpResponse,
  awsEncode,
  type SdkClientConfig,
  SignedHttpClient,
  sendWithin,
} from '../aws/signed-http.ts';

/** What a synchronous Invoke answered. */
export interface InvokeAnswer {
  /** `Handled` or `Unhandled` when the function failed; its error is then the payload. */
  functionError?: string | undefined;
  /** The function's answer as text (`''` for none). */
  payload: string;
}

/**
 * One synchronous Invoke of `functionName` with `payload`; rejects when Lambda did not run it, with
 * a `RequestTimeoutError` when no answer came within `timeoutMs`.
 */
export interface InvokeTransport {
  invoke(functionName: string, payload: Buffer, timeoutMs: number): Promise<InvokeAnswer>;
  /** Release what the transport holds (kept-alive connections). */
  destroy(): void;
}

/** Invokes through `lambda.send`: every middleware of the client applies. */
export function sdkInvokeTransport(lambda: LambdaClient): InvokeTransport {
  return {
    async invoke(functionName, payload, timeoutMs) {
      const answer = await sendWithin(
        (abortSignal) =>
          lambda.send(
            new InvokeCommand({ FunctionName: functionName, Payload: payload }),
            abortSignal ? { abortSignal } : {},
          ),
        undefined,
        timeoutMs,
      );
      return {
        functionError: answer.FunctionError,
        payload: answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '',
      };
    },
    destroy() {
      // The client is the caller's.
    },
  };
}

/** The first value of a header. */
const headerOf = (response: AwsHttpResponse, name: string): string | undefined => {
  const value = response.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The SDK-shaped error of a REST-JSON error answer: the code from `x-amzn-ErrorType` (or the
 * body's `code` / `__type`), without the `:…` and `…#` decorations AWS may add, as the SDK reads it.
 */
export function restJsonError(response: AwsHttpResponse): AwsHttpError {
  let data: { message?: unknown; Message?: unknown; code?: unknown; __type?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed && typeof parsed === 'object') data = parsed;
  } catch {
    // not JSON: the status speaks
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  let code =
    text(headerOf(response, 'x-amzn-errortype')) ??
    text(data.code) ??
    text(data.__type) ??
    `HTTP${response.status}`;
  code = code.split(':')[0]!;
  if (code.includes('#')) code = code.slice(code.lastIndexOf('#') + 1);
  const message =
    text(data.message) ?? text(data.Message) ?? (response.body.slice(0, 200) || `HTTP ${response.status}`);
  return new AwsHttpError(code, message, response.status);
}

/**
 * Invokes with signed requests of its own, to `lambda`'s endpoint, region and credentials
 * (resolved as the SDK resolves them: custom endpoints, profiles, SSO and refreshed credentials
 * behave the same). No SDK retries: the poller retries what did not run the function.
 */
export function restInvokeTransport(lambda: LambdaClient): InvokeTransport {
  const http = new SignedHttpClient(lambda.config as unknown as SdkClientConfig, 'lambda');
  const headers = { 'content-type': 'application/octet-stream' };
  return {
    async invoke(functionName, payload, timeoutMs) {
      const response = await http.request({
        path: `/2015-03-31/functions/${awsEncode(functionName)}/invocations`,
        body: payload,
        headers,
        timeoutMs,
      });
      if (response.status < 200 || response.status >= 300) throw restJsonError(response);
      return { functionError: headerOf(response, 'x-amz-function-error'), payload: response.body };
    },
    destroy() {
      http.destroy();
    },
  };
}
