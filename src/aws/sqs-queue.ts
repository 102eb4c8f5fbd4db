/**
 * Receiving from one SQS queue on the data path: ReceiveMessage and
 * DeleteMessageBatch as signed JSON-protocol requests of our own (see
 * signed-http.ts), with the SDK's body checksum check kept. `tail` and the
 * demo drain thousands of notifications a second this way; the SDK client
 * costs several times the CPU per call.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { AwsHttpError, type AwsHttpResponse, type SdkClientConfig, SignedHttpClient } from './signed-http.ts';

/** The SDK-shaped error of an AWS JSON-protocol error answer. */
export function jsonProtocolError(response: AwsHttpResponse): AwsHttpError {
  let parsed: { __type?: string; message?: string; Message?: string } = {};
  try {
    parsed = JSON.parse(response.body) as typeof parsed;
  } catch {
    // not JSON: keep the status
  }
  const code = parsed.__type?.split('#').pop() ?? `HTTP${response.status}`;
  const message =
    parsed.message ?? parsed.Message ?? (response.body.slice(0, 200) || `HTTP ${response.status}`);
  return new AwsHttpError(code, message, response.status);
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** ReceiveMessage / DeleteMessageBatch on one queue. */
export class SqsQueueReader {
  private readonly http: SignedHttpClient;
  readonly queueUrl: string;

  /** `sqs`: the SDK client whose endpoint, region and credentials to use. */
  constructor(sqs: SQSClient, queueUrl: string) {
    this.http = new SignedHttpClient(sqs.config as unknown as SdkClientConfig, 'sqs');
    this.queueUrl = queueUrl;
  }

  private async call<T>(action: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const response = await this.http.post(
      JSON.stringify({ QueueUrl: this.queueUrl, ...input }),
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      signal,
    );
    if (response.status !== 200) throw jsonProtocolError(response);
    return JSON.parse(response.body) as T;
  }

  /**
   * Up to `max` (1–10) messages with all their attributes, waiting up to
   * `waitSeconds` for the first. A body whose MD5 does not match what SQS
   * computed is an error, as in the SDK.
   */
  async receive(
    options: { max?: number; waitSeconds?: number; signal?: AbortSignal } = {},
  ): Promise<Message[]> {
    const { Messages = [] } = await this.call<{ Messages?: Message[] }>(
      'ReceiveMessage',
      {
        MaxNumberOfMessages: options.max ?? 10,
        WaitTimeSeconds: options.waitSeconds ?? 1,
        MessageAttributeNames: ['All'],
      },
      options.signal,
    );
    for (const message of Messages) {
      if (message.MD5OfBody !== undefined && md5(message.Body ?? '') !== message.MD5OfBody) {
        throw new AwsHttpError(
          'InvalidChecksum',
          `the body of message ${message.MessageId} does not match its MD5`,
          200,
        );
      }
    }
    return Messages;
  }

  /** Delete received messages (at most 10 per request); resolves with the ids SQS could not delete. */
  async delete(messages: readonly Pick<Message, 'ReceiptHandle'>[]): Promise<string[]> {
    const failed: string[] = [];
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const answer = await this.call<{ Failed?: Array<{ Id: string }> }>('DeleteMessageBatch', {
        Entries: chunk.map((m, j) => ({ Id: String(i + j), ReceiptHandle: m.ReceiptHandle })),
      });
      failed.push(...(answer.Failed ?? []).map((f) => f.Id));
    }
    return failed;
  }

  /** Close kept-alive connections. */
  destroy(): void {
    this.http.destroy();
  }
}
