import { describe, expect, it } from 'vitest';
import { awsServiceOf, refusal } from '../../src/stack/endpoint/protocol.ts';

const scope = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20261124/eu-west-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('awsServiceOf: which backend a request goes to', () => {
  it('reads the JSON protocol target first, then the SigV4 credential scope', () => {
    expect(awsServiceOf({ 'x-amz-target': 'AmazonSQS.ReceiveMessage', authorization: scope('sqs') })).toBe(
      'sqs',
    );
    expect(awsServiceOf({ authorization: scope('sns') })).toBe('sns');
    expect(awsServiceOf({ authorization: scope('lambda') })).toBe('lambda');
    expect(awsServiceOf({ authorization: scope('monitoring') })).toBe('monitoring');
    expect(awsServiceOf({ authorization: [scope('iam')] })).toBe('iam');
  });

  it('is undefined for unsigned or unreadable requests', () => {
    expect(awsServiceOf({})).toBeUndefined();
    expect(awsServiceOf({ authorization: 'Bearer x' })).toBeUndefined();
    expect(awsServiceOf({ 'x-amz-target': 'Logs_20140328.PutLogEvents' })).toBeUndefined();
  });
});

describe('refusal: what the local endpoint will not serve', () => {
  const sdk = { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.0' };

  it('passes SDK requests on loopback names', () => {
    for (const host of ['127.0.0.1:4566', 'localhost:4566', '127.3.2.1', '[::1]:4566', 'LOCALHOST']) {
      expect(refusal({ ...sdk, host }, '/'), host).toBeUndefined();
    }
    expect(refusal({ host: 'localhost:4566', origin: 'http://localhost:4566' }, '/')).toBeUndefined();
    expect(
      refusal({ host: 'localhost:4566', 'content-type': 'application/json' }, '/2015-03-31/functions'),
    ).toBe(undefined);
  });

  it('refuses foreign hosts, foreign or opaque origins and form posts to the Lambda API', () => {
    expect(refusal({ host: 'evil.test:4566' }, '/')).toMatch(/not a loopback/);
    expect(refusal({ host: '127.0.0.1.evil.test' }, '/')).toMatch(/not a loopback/);
    expect(refusal({}, '/')).toMatch(/not a loopback/);
    expect(refusal({ ...sdk, origin: 'https://evil.test' }, '/')).toMatch(/cross-origin/);
    expect(refusal({ ...sdk, origin: 'http://127.0.0.1:8080' }, '/')).toMatch(/cross-origin/);
    expect(refusal({ ...sdk, origin: 'null' }, '/')).toMatch(/opaque/);
    for (const type of [
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
    ]) {
      expect(
        refusal({ host: 'localhost', 'content-type': type }, '/2015-03-31/functions/f/invocations'),
        type,
      ).toMatch(/not accepted/);
    }
  });

  it("refuses what another site made a browser send without an Origin (images, links), and moto's admin API", () => {
    for (const site of ['cross-site', 'same-site']) {
      expect(refusal({ ...sdk, 'sec-fetch-site': site }, '/'), site).toMatch(/another site/);
    }
    // The user's own navigation (typed URL) and same-origin requests pass.
    expect(refusal({ ...sdk, 'sec-fetch-site': 'none' }, '/')).toBeUndefined();
    expect(refusal({ ...sdk, 'sec-fetch-site': 'same-origin' }, '/')).toBeUndefined();
    for (const path of ['/moto-api', '/moto-api/', '/moto-api/reset', '/moto-api/data.json']) {
      expect(refusal(sdk, path), path).toMatch(/admin API/);
    }
    expect(refusal(sdk, '/moto-apis')).toBeUndefined();
  });
});
