import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { SNSClient } from '@aws-sdk/client-sns';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  awsEncode,
  queryError,
  RequestTimeoutError,
  type SdkClientConfig,
  SignedHttpClient,
  signPost,
  xmlField,
  xmlMembers,
  xmlText,
} from '../../src/aws/signed-http.ts';
import { parsePublishBatchResponse, publishBatchBody } from '../../src/sns/transport.ts';
import { type SnsTestServer, startSnsServer } from '../support/sns-server.ts';

const bytes = (data: string | ArrayBuffer | ArrayBufferView) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The SDK's Checksum interface over node:crypto, for the reference signer. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

describe('signPost: SigV4 as the SDK signs', () => {
  const cases = [
    {
      url: 'https://sns.eu-west-1.amazonaws.com/',
      region: 'eu-west-1',
      service: 'sns',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
    },
    {
      url: 'http://127.0.0.1:4566/',
      region: 'us-east-1',
      service: 'sqs',
      credentials: { accessKeyId: 'ASIA1', secretAccessKey: 's3cr3t', sessionToken: 'token/with+chars==' },
    },
  ];
  for (const c of cases) {
    it(`matches @smithy/signature-v4 for ${c.service} at ${c.url}${c.credentials.sessionToken ? ' with a session token' : ''}`, async () => {
      const url = new URL(c.url);
      const body = publishBatchBody('arn:aws:sns:eu-west-1:000000000000:T', [
        {
          Id: '0',
          Message: '{"callsign":"A&B ü"}',
          MessageAttributes: { c: { DataType: 'String', StringValue: 'x y' } },
        },
      ]);
      const date = new Date('2026-11-24T23:01:02.345Z');
      const ours = signPost({
        url,
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        service: c.service,
        region: c.region,
        credentials: c.credentials,
        date,
      });
      const signer = new SignatureV4({
        credentials: c.credentials,
        region: c.region,
        service: c.service,
        sha256: Sha256,
        // Query APIs are signed without x-amz-content-sha256 (the SDK adds it only for S3).
        applyChecksum: false,
      });
      const theirs = await signer.sign(
        {
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: '/',
          headers: { 'content-type': 'application/x-www-form-urlencoded', host: url.host },
          body,
        },
        { signingDate: date },
      );
      // The SDK also signs x-amz-content-sha256 only for S3; the signature itself must agree.
      const signature = (auth: string) => /Signature=([0-9a-f]{64})/.exec(auth)?.[1];
      expect(signature(ours.authorization!)).toBe(signature(String(theirs.headers.authorization)));
      expect(ours['x-amz-date']).toBe('20261124T230102Z');
      expect(ours['x-amz-security-token']).toBe(c.credentials.sessionToken);
    });
  }
});

describe('the query protocol on the wire', () => {
  it('encodes as RFC 3986 (no + for spaces, reserved characters escaped)', () => {
    expect(awsEncode("a b+c*d'(e)!~_.-")).toBe('a%20b%2Bc%2Ad%27%28e%29%21~_.-');
    expect(awsEncode('ü/é')).toBe('%C3%BC%2F%C3%A9');
  });

  it('writes every entry field and attribute, numbered from 1, leaving absent fields out', () => {
    const body = publishBatchBody('arn:aws:sns:us-east-1:000000000000:t.fifo', [
      {
        Id: '0',
        Message: 'm0',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
        MessageAttributes: {
          origin_country: { DataType: 'String', StringValue: 'Germany' },
          alt: { DataType: 'Number', StringValue: '35000' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 255]) },
        },
      },
      { Id: '1', Message: 'm1', Subject: 's' },
    ]);
    const fields = new URLSearchParams(body.replaceAll('+', '%2B'));
    expect(fields.get('Action')).toBe('PublishBatch');
    expect(fields.get('Version')).toBe('2010-03-31');
    expect(fields.get('TopicArn')).toBe('arn:aws:sns:us-east-1:000000000000:t.fifo');
    expect(fields.get('PublishBatchRequestEntries.member.1.MessageGroupId')).toBe('g');
    expect(fields.get('PublishBatchRequestEntries.member.1.MessageDeduplicationId')).toBe('d');
    expect(fields.get('PublishBatchRequestEntries.member.1.MessageAttributes.entry.2.Name')).toBe('alt');
    expect(fields.get('PublishBatchRequestEntries.member.1.MessageAttributes.entry.2.Value.DataType')).toBe(
      'Number',
    );
    expect(
      fields.get('PublishBatchRequestEntries.member.1.MessageAttributes.entry.3.Value.BinaryValue'),
    ).toBe('AQL/');
    expect(fields.get('PublishBatchRequestEntries.member.2.Subject')).toBe('s');
    expect(fields.has('PublishBatchRequestEntries.member.2.MessageGroupId')).toBe(false);
  });

  it('reads successful and failed entries, entities decoded', () => {
    const xml = `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>
      <Failed><member><Code>InvalidParameter</Code><Id>2</Id><Message>bad &lt;attr&gt; &amp; &#233;&#x21;</Message><SenderFault>true</SenderFault></member>
      <member><Code>InternalError</Code><Id>3</Id><SenderFault>false</SenderFault></member></Failed>
      <Successful><member><Id>0</Id><MessageId>m-0</MessageId></member><member><Id>1</Id><MessageId>m-1</MessageId><SequenceNumber>10</SequenceNumber></member></Successful>
      </PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>`;
    expect(parsePublishBatchResponse(xml)).toEqual({
      Successful: [
        { Id: '0', MessageId: 'm-0', SequenceNumber: undefined },
        { Id: '1', MessageId: 'm-1', SequenceNumber: '10' },
      ],
      Failed: [
        { Id: '2', Code: 'InvalidParameter', Message: 'bad <attr> & é!', SenderFault: true },
        { Id: '3', Code: 'InternalError', Message: undefined, SenderFault: false },
      ],
    });
    expect(parsePublishBatchResponse('<PublishBatchResponse/>')).toEqual({ Successful: [], Failed: [] });
  });

  it('turns an error answer into an SDK-shaped error', () => {
    const error = queryError({
      status: 404,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>',
    });
    expect(error).toMatchObject({
      name: 'NotFound',
      code: 'NotFound',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
    });
    expect(error.message).toBe('Topic does not exist');
    expect(queryError({ status: 503, body: 'Service Unavailable' })).toMatchObject({
      code: 'HTTP503',
      $fault: 'server',
    });
    expect(xmlText('&quot;&apos;&unknown;')).toBe(`"'&unknown;`);
    expect(xmlField('<a>1</a>', 'b')).toBeUndefined();
    expect(xmlMembers('<X><member>1</member><member>2</member></X>', 'X')).toEqual(['1', '2']);
  });
});

describe('SignedHttpClient.post: its deadline and its signal', () => {
  const body = publishBatchBody('arn:aws:sns:us-east-1:000000000000:t', [{ Id: '0', Message: 'm' }]);
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const clientFor = (endpoint: string) =>
    new SignedHttpClient(
      new SNSClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }).config as unknown as SdkClientConfig,
      'sns',
    );

  /** Run `test` with a client of a local SNS server (holding every request with `hold`), then close both. */
  async function withServer(
    hold: boolean,
    test: (http: SignedHttpClient, server: SnsTestServer) => Promise<void>,
  ): Promise<void> {
    const server = await startSnsServer(hold ? { hold: () => true } : {});
    const http = clientFor(server.endpoint);
    try {
      await test(http, server);
    } finally {
      http.destroy();
      await server.close();
    }
  }

  it('answers, and leaves no listener on the signal', () =>
    withServer(false, async (http) => {
      const controller = new AbortController();
      const answer = await http.post(body, headers, controller.signal, 5000);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('<MessageId>m-0-1</MessageId>');
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }));

  it('gives up on a server that does not answer within timeoutMs: RequestTimeoutError', () =>
    withServer(true, async (http) => {
      const controller = new AbortController();
      const error = await http.post(body, headers, controller.signal, 100).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({ name: 'TimeoutError', code: 'RequestTimeout' });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }));

  it('stops when the signal aborts (before or during the request): AbortError, the reason as its cause', () =>
    withServer(true, async (http, server) => {
      const during = new AbortController();
      const pending = http.post(body, headers, during.signal, 0).catch((e: unknown) => e);
      await server.received(1);
      during.abort('enough');
      expect(await pending).toMatchObject({ name: 'AbortError', cause: 'enough' });
      const before = AbortSignal.abort('already');
      await expect(http.post(body, headers, before, 0)).rejects.toMatchObject({
        name: 'AbortError',
        cause: 'already',
      });
      // The one held request arrived; the aborted-before one never left.
      expect(server.requests).toHaveLength(1);
    }));
});
