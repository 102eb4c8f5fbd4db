import { describe, expect, it } from 'vitest';
import { requestCountKey, routeOf, type Serving } from '../../src/stack/endpoint/routes.ts';

const scope = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;
const signed = (service: string, extra: Record<string, string> = {}) => ({
  authorization: scope(service),
  ...extra,
});
const fauxqs: Serving = { messaging: true, snsMetrics: true };
const motoOnly: Serving = { messaging: false, snsMetrics: false };

describe('routeOf: which part of the endpoint serves a request', () => {
  it('sends SNS and SQS to fauxqs when it runs, else to moto', () => {
    expect(routeOf('POST', '/', signed('sns'), fauxqs)).toEqual({ kind: 'messaging' });
    expect(routeOf('POST', '/', { 'x-amz-target': 'AmazonSQS.SendMessage' }, fauxqs)).toEqual({
      kind: 'messaging',
    });
    expect(routeOf('POST', '/', signed('sns'), motoOnly)).toEqual({ kind: 'moto' });
  });

  it('flushes SNS metrics before a CloudWatch read, never before a PutMetricData', () => {
    expect(routeOf('POST', '/', signed('monitoring'), fauxqs)).toEqual({ kind: 'metrics-read' });
    const put = signed('monitoring', { 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData' });
    expect(routeOf('POST', '/', put, fauxqs)).toEqual({ kind: 'moto' });
    expect(routeOf('POST', '/', signed('monitoring'), motoOnly)).toEqual({ kind: 'moto' });
  });

  it('serves Invoke (POST only), with the FunctionName segment as sent', () => {
    const path =
      '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn/invocations';
    expect(routeOf('POST', path, signed('lambda'), fauxqs)).toEqual({
      kind: 'invoke',
      rawName: 'arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn',
    });
    expect(routeOf('POST', '/2015-03-31/functions/fn/invocations/', {}, motoOnly)).toEqual({
      kind: 'invoke',
      rawName: 'fn',
    });
    expect(routeOf('GET', '/2015-03-31/functions/fn/invocations', {}, motoOnly)).toEqual({ kind: 'moto' });
  });

  it('follows the four control-plane calls, named by function (a qualifier or ARN stripped)', () => {
    expect(routeOf('POST', '/2015-03-31/functions', {}, motoOnly)).toEqual({
      kind: 'control-plane',
      call: 'create',
    });
    expect(routeOf('PUT', '/2015-03-31/functions/fn%3A3/code', {}, motoOnly)).toEqual({
      kind: 'control-plane',
      call: 'code',
      name: 'fn',
    });
    expect(routeOf('PUT', '/2015-03-31/functions/fn/configuration', {}, motoOnly)).toEqual({
      kind: 'control-plane',
      call: 'configuration',
      name: 'fn',
    });
    expect(routeOf('DELETE', '/2015-03-31/functions/fn', {}, motoOnly)).toEqual({
      kind: 'control-plane',
      call: 'delete',
      name: 'fn',
    });
  });

  it('passes the rest of the Lambda API to moto, a malformed name included', () => {
    expect(routeOf('GET', '/2015-03-31/functions/fn', {}, motoOnly)).toEqual({ kind: 'moto' });
    expect(routeOf('GET', '/2015-03-31/functions/%E0/configuration', {}, motoOnly)).toEqual({ kind: 'moto' });
    expect(routeOf('POST', '/2015-03-31/functions/fn/versions', {}, motoOnly)).toEqual({ kind: 'moto' });
    expect(routeOf('POST', '/', signed('iam'), fauxqs)).toEqual({ kind: 'moto' });
  });

  it('serves the event source mapping API and the health check itself', () => {
    expect(routeOf('GET', '/2015-03-31/event-source-mappings/', {}, motoOnly)).toEqual({ kind: 'esm' });
    expect(routeOf('GET', '/_stack/health', {}, fauxqs)).toEqual({ kind: 'health' });
  });
});

describe('requestCountKey: what /_stack/health counts', () => {
  it('counts Invoke apart from the rest of Lambda, by service otherwise, never the health check', () => {
    expect(requestCountKey('/2015-03-31/functions/fn/invocations', signed('lambda'))).toBe('lambda:invoke');
    expect(requestCountKey('/2015-03-31/functions', signed('lambda'))).toBe('lambda');
    expect(requestCountKey('/', signed('sns'))).toBe('sns');
    expect(requestCountKey('/', {})).toBe('unsigned');
    expect(requestCountKey('/_stack/health', {})).toBeUndefined();
  });
});
