/**
 * How PublishBatch requests reach SNS: through the AWS SDK client, or as
 * signed query-protocol requests of our own (the default), which cost about a
 * third of the SDK's client CPU per request and so carry the pipeline's
 * thousands of notifications a second on a small machine.
 *
 * @module
 */
import {
  type BatchResultErrorEntry,
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type PublishBatchResultEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  awsEncode,
  queryError,
  type RequestTimeoutError,
  type SdkClientConfig,
  SignedHttpClient,
  sendWithin,
  xmlField,
  xmlMembers,
} from '../aws/signed-http.ts';

/** What a PublishBatch answered: which entries succeeded and which failed. */
export interface PublishBatchAnswer {
  Successful?: PublishBatchResultEntry[] | undefined;
  Failed?: BatchResultErrorEntry[] | undefined;
}

/**
 * Sends one PublishBatch request. Rejects (SDK-shaped errors) when the whole request fails, with
 * a {@link RequestTimeoutError} when no answer came within `timeoutMs` (0: no limit).
 */
export interface PublishBatchTransport {
  publishBatch(
    topicArn: string,
    entries: PublishBatchRequestEntry[],
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<PublishBatchAnswer>;
  destroy(): void;
}

/** Through the SDK client's `send`. */
export function sdkTransport(client: SNSClient): PublishBatchTransport {
  return {
    publishBatch: (TopicArn, PublishBatchRequestEntries, signal, timeoutMs) =>
      sendWithin(
        (abortSignal) =>
          client.send(
            new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries }),
            abortSignal ? { abortSignal } : {},
          ),
        signal,
        timeoutMs,
      ),
    destroy: () => undefined,
  };
}

function attributeFields(prefix: string, attributes: Record<string, MessageAttributeValue>): string[] {
  const fields: string[] = [];
  let n = 0;
  for (const [name, value] of Object.entries(attributes)) {
    const at = `${prefix}.entry.${++n}`;
    fields.push(
      `${at}.Name=${awsEncode(name)}`,
      `${at}.Value.DataType=${awsEncode(value.DataType ?? 'String')}`,
    );
    if (value.StringValue !== undefined)
      fields.push(`${at}.Value.StringValue=${awsEncode(value.StringValue)}`);
    if (value.BinaryValue !== undefined) {
      fields.push(`${at}.Value.BinaryValue=${awsEncode(Buffer.from(value.BinaryValue).toString('base64'))}`);
    }
  }
  return fields;
}

const ENTRY_FIELDS = [
  'Id',
  'Message',
  'Subject',
  'MessageStructure',
  'MessageDeduplicationId',
  'MessageGroupId',
] as const;

/** The form body of a PublishBatch request (AWS query protocol, API version 2010-03-31). */
export function publishBatchBody(topicArn: string, entries: readonly PublishBatchRequestEntry[]): string {
  const fields = ['Action=PublishBatch', 'Version=2010-03-31', `TopicArn=${awsEncode(topicArn)}`];
  entries.forEach((entry, i) => {
    const at = `PublishBatchRequestEntries.member.${i + 1}`;
    for (const field of ENTRY_FIELDS) {
      const value = entry[field];
      if (value !== undefined) fields.push(`${at}.${field}=${awsEncode(value)}`);
    }
    if (entry.MessageAttributes)
      fields.push(...attributeFields(`${at}.MessageAttributes`, entry.MessageAttributes));
  });
  return fields.join('&');
}

/** Successful and failed entries of a PublishBatchResponse. */
export function parsePublishBatchResponse(xml: string): PublishBatchAnswer {
  return {
    Successful: xmlMembers(xml, 'Successful').map((member) => ({
      Id: xmlField(member, 'Id'),
      MessageId: xmlField(member, 'MessageId'),
      SequenceNumber: xmlField(member, 'SequenceNumber'),
    })),
    Failed: xmlMembers(xml, 'Failed').map((member) => ({
      Id: xmlField(member, 'Id'),
      Code: xmlField(member, 'Code'),
      Message: xmlField(member, 'Message'),
      SenderFault: xmlField(member, 'SenderFault') === 'true',
    })),
  };
}

/** Signed query-protocol requests to the endpoint, region and credentials of `client`. */
export function queryTransport(client: SNSClient): PublishBatchTransport {
  const http = new SignedHttpClient(client.config as unknown as SdkClientConfig, 'sns');
  return {
    async publishBatch(topicArn, entries, signal, timeoutMs) {
      const response = await http.post(
        publishBatchBody(topicArn, entries),
        { 'content-type': 'application/x-www-form-urlencoded' },
        signal,
        timeoutMs,
      );
      if (response.status !== 200) throw queryError(response);
      return parsePublishBatchResponse(response.body);
    },
    destroy: () => http.destroy(),
  };
}
