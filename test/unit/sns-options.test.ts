import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import {
  classifyError,
  createSnsClient,
  defaultSnsPublisherOptions,
  isRetryableEntryFailure,
  isTopicArn,
  isValidTopicName,
  resolveSnsPublisherOptions,
  type SnsPublisherOptions,
} from '../../src/sns/index.ts';

const ARN = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';

describe('Function: resolveSnsPublisherOptions', () => {
  it('overlays the options on the defaults, skipping undefined', () => {
    const resolved = resolveSnsPublisherOptions({ concurrency: undefined, retry: 2 });
    expect(resolved).toMatchObject({
      ...defaultSnsPublisherOptions,
      retry: { ...defaultSnsPublisherOptions.retry, limit: 2 },
    });
    expect(resolved.topicName).toBe('FlightNotifications');
    expect(resolveSnsPublisherOptions({ topicArn: ARN }).topicName).toBeUndefined();
  });

  it.each<[SnsPublisherOptions<Record<string, unknown>>, string]>([
    [{ topicArn: 'FlightNotifications' }, '/options/topicArn'],
    [{ topicArn: ARN, topicName: 'FlightNotifications' }, '/options/topicName'],
    [{ topicName: 'has space' }, '/options/topicName'],
    [{ topicName: 'x'.repeat(257) }, '/options/topicName'],
    [{ attributes: [{ field: 'x', name: 'aws.bad' }] }, '/options/attributes/0/name'],
    [{ attributes: [{ field: 'a' }, { field: 'b', name: 'a..b' }] }, '/options/attributes/1/name'],
    [{ attributes: [{ field: 'x', type: 'Binary' as 'String' }] }, '/options/attributes/0/type'],
    [{ attributes: [{ type: 'Number' }] }, '/options/attributes/0/field'],
    [{ attributes: [{ field: 'a' }, { field: 'a' }] }, '/options/attributes/1/name'],
    [{ attributes: [{ field: 'a' }], staticAttributes: { a: 'x' } }, '/options/staticAttributes/a'],
    [{ staticAttributes: { 'Amazon.x': 'x' } }, '/options/staticAttributes/Amazon.x'],
    [
      {
        attributes: Array.from({ length: 8 }, (_, i) => ({ field: `f${i}` })),
        staticAttributes: { s1: 1, s2: 2, s3: 3 },
      },
      '/options/attributes',
    ],
    [{ concurrency: 0 }, '/options/concurrency'],
    [{ concurrency: 1.5 }, '/options/concurrency'],
    [{ retry: -1 }, '/options/retry/limit'],
    [{ retry: { limit: Number.POSITIVE_INFINITY } }, '/options/retry/limit'],
    [{ retry: { baseMs: 100, maxDelayMs: 50 } }, '/options/retry/maxDelayMs'],
    [{ maxRetries: -1 }, '/options/maxRetries'],
    [{ retryBaseMs: 100, retryMaxDelayMs: 50 }, '/options/retryMaxDelayMs'],
    [{ retry: 1, maxRetries: 2 }, '/options/maxRetries'],
    [{ groupId: 'icao24' as unknown as () => string }, '/options/groupId'],
    [{ client: {} as never }, '/options/client'],
    [{ endpoint: 'not a url' }, '/options/endpoint'],
  ])('rejects %j naming %s', (options, path) => {
    const attempt = () => resolveSnsPublisherOptions(options);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expect.objectContaining({ path }));
  });

  it('accepts 10 attributes in all, and FIFO topic names', () => {
    expect(() =>
      resolveSnsPublisherOptions({
        topicName: 'Flights.fifo',
        attributes: Array.from({ length: 9 }, (_, i) => ({ field: `f${i}` })),
        staticAttributes: { source: 'opensky-stream' },
      }),
    ).not.toThrow();
  });
});

describe('Function: isTopicArn / isValidTopicName', () => {
  it('recognises topic ARNs and names', () => {
    expect(isTopicArn(ARN)).toBe(true);
    expect(isTopicArn(`${ARN}.fifo`)).toBe(true);
    expect(isTopicArn('arn:aws-cn:sns:cn-north-1:123456789012:t')).toBe(true);
    expect(isTopicArn('arn:aws:sqs:us-east-1:000000000000:q')).toBe(false);
    expect(isTopicArn('arn:aws:sns:us-east-1:000000000000:bad name')).toBe(false);
    expect(isValidTopicName('Flight_Notifications-1')).toBe(true);
    expect(isValidTopicName('a.fifo')).toBe(true);
    expect(isValidTopicName('a.b')).toBe(false);
    expect(isValidTopicName('')).toBe(false);
  });
});

describe('Function: classifyError', () => {
  const sdkError = (name: string, status: number | undefined, fault?: 'client' | 'server') =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it('retries throttling, server faults and network errors; not other client faults', () => {
    expect(classifyError(sdkError('ThrottledException', 400, 'client'))).toMatchObject({
      code: 'ThrottledException',
      retryable: true,
      throttled: true,
    });
    expect(classifyError(sdkError('Throttling', 400, 'client')).throttled).toBe(true);
    expect(classifyError(sdkError('Whatever', 429, 'client')).retryable).toBe(true);
    expect(classifyError(sdkError('InternalErrorException', 500, 'server')).retryable).toBe(true);
    expect(classifyError(sdkError('BadGateway', 502)).retryable).toBe(true);
    expect(classifyError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toMatchObject({
      code: 'ECONNRESET',
      retryable: true,
    });
    expect(classifyError(sdkError('NotFoundException', 404, 'client')).retryable).toBe(false);
    expect(classifyError(sdkError('AuthorizationErrorException', 403, 'client')).retryable).toBe(false);
    expect(classifyError(Object.assign(new Error('x'), { name: 'AbortError' })).retryable).toBe(false);
  });
});

describe('Function: isRetryableEntryFailure', () => {
  it('retries entries that are not sender faults, and throttling or internal errors in any case', () => {
    expect(isRetryableEntryFailure({ Code: 'InternalError', SenderFault: false })).toBe(true);
    expect(isRetryableEntryFailure({ Code: 'Whatever' })).toBe(true);
    expect(isRetryableEntryFailure({ Code: 'Throttled', SenderFault: true })).toBe(true);
    expect(isRetryableEntryFailure({ Code: 'KMSThrottling', SenderFault: true })).toBe(true);
    expect(isRetryableEntryFailure({ Code: 'InvalidParameter', SenderFault: true })).toBe(false);
  });
});

describe('Function: createSnsClient', () => {
  it('takes region and endpoint from the environment, and turns the SDK retries off', async () => {
    const client = createSnsClient({
      env: { AWS_REGION: 'eu-west-3', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
    });
    expect(await client.config.region()).toBe('eu-west-3');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 4566, protocol: 'http:' });
    expect(await client.config.maxAttempts()).toBe(1);
    client.destroy();
  });

  it('prefers AWS_ENDPOINT_URL_SNS, defaults the region when only an endpoint is set, and takes overrides', async () => {
    const local = createSnsClient({
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:4599' },
    });
    expect(await local.config.region()).toBe('us-east-1');
    expect((await local.config.endpoint?.())?.port).toBe(4599);
    const explicit = createSnsClient({ region: 'ap-south-1', endpoint: 'http://localhost:9', env: {} });
    expect(await explicit.config.region()).toBe('ap-south-1');
    expect((await explicit.config.endpoint?.())?.hostname).toBe('localhost');
    local.destroy();
    explicit.destroy();
  });
});
