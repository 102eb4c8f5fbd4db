import { randomBytes } from 'node:crypto';
import {
  GetFunctionConfigurationCommand,
  type InvokeCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { CompressionTypes } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { type FailedRecords, LambdaInvoker, type LambdaInvokerOptions } from '../../src/bridge/index.ts';
import type { KafkaEvent } from '../../src/handler/index.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { sleep } from '../../src/util/retry.ts';
import { batchOf, connectionRefused, fakeKafka, protocolError } from '../support/fake-kafka.ts';

/** What the fake function answers: a function error, a response body, or (by throwing) an SDK error. */
type Answer = { FunctionError?: string; body?: unknown };

/**
 * A Lambda client whose Invoke answers through `answer` and records each Invoke (its
 * command and parsed event); GetFunctionConfiguration answers `configuration` (a
 * timeout in seconds), or throws it when it is an Error (e.g. the function is missing).
 */
function fakeLambda(
  answer: (n: number, event: KafkaEvent) => Promise<Answer> | Answer,
  initial: { Timeout?: number } | Error = { Timeout: 30 },
) {
  const calls: unknown[] = [];
  const events: KafkaEvent[] = [];
  const signals: Array<AbortSignal | undefined> = [];
  const configuration = initial instanceof Error ? { Timeout: 30 } : { ...initial };
  const client = {
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      if (command instanceof GetFunctionConfigurationCommand) {
        if (initial instanceof Error) throw initial;
        return configuration;
      }
      calls.push(command);
      signals.push(options?.abortSignal);
      const event = JSON.parse(
        Buffer.from((command as InvokeCommand).input.Payload as Uint8Array).toString(),
      );
      events.push(event);
      // As the SDK: an aborted request rejects, whatever the function does.
      const aborted = new Promise<never>((_, reject) =>
        options?.abortSignal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
        ),
      );
      const { FunctionError, body } = await Promise.race([answer(calls.length, event), aborted]);
      const text = FunctionError ? '{"errorType":"Error","errorMessage":"boom"}' : JSON.stringify(body ?? {});
      return { StatusCode: 200, FunctionError, Payload: Buffer.from(text) };
    },
  };
  return { client: client as unknown as LambdaClient, calls, events, signals, configuration };
}

function setup(
  answer: Parameters<typeof fakeLambda>[0] = () => ({}),
  options: Partial<LambdaInvokerOptions> = {},
) {
  const kafka = fakeKafka();
  const lambda = fakeLambda(answer);
  const invoker = new LambdaInvoker({
    functionName: 'fn',
    kafka: kafka.kafka,
    lambda: lambda.client,
    deadLetterTopic: null,
    restart: { baseMs: 1 },
    retry: { baseMs: 1 },
    ...options,
  });
  return { kafka, lambda, invoker };
}

describe('Class: LambdaInvoker, consumer lifecycle', () => {
  it('restarts a consumer that crashed without a kafkajs restart, and consumes from the committed offsets', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup();
    const crashes: boolean[] = [];
    invoker.on('crash', ({ restarting }) => crashes.push(restarting));
    await invoker.start();

    // Act
    kafka.consumers[0]!.crash(connectionRefused(), false);
    await vi.waitFor(() => expect(invoker.stats.restarts).toBe(1));
    await kafka.consumers[1]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}'], { firstOffset: 7 }));

    // Assert
    expect(kafka.consumers).toHaveLength(2);
    expect(kafka.consumers[1]!.groupId).toBe('opensky-stream-bridge');
    expect(crashes).toEqual([true]);
    expect(invoker.stats).toMatchObject({ crashes: 1, restarts: 1, invocations: 1 });
    expect(lambda.calls).toHaveLength(1);
    expect(kafka.consumers[1]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '9' }]);
    await invoker.stop();
  });

  it('keeps trying to restart with backoff while the broker is down', async () => {
    // Arrange
    const { kafka, invoker } = setup();
    await invoker.start();
    let refused = 0;
    kafka.consumerConnect = () => {
      if (refused++ < 3) throw connectionRefused();
    };

    // Act
    kafka.consumers[0]!.crash(connectionRefused(), true);
    await vi.waitFor(() => expect(invoker.stats.restarts).toBe(1));

    // Assert
    expect(refused).toBe(4);
    expect(invoker.stats.crashes).toBe(1);
    expect(kafka.consumers.at(-1)!.eachBatch).toBeDefined();
    await invoker.stop();
    await expect(invoker.done()).resolves.toBeUndefined();
  });

  it('fails through done() on a crash no restart fixes, and does not restart', async () => {
    // Arrange
    const { kafka, invoker } = setup();
    await invoker.start();

    // Act
    kafka.consumers[0]!.crash(protocolError('GROUP_AUTHORIZATION_FAILED'));

    // Assert
    await expect(invoker.done()).rejects.toMatchObject({ code: 'OSS_KAFKA', retryable: false });
    await expect(invoker.done()).rejects.toThrow(/GROUP_AUTHORIZATION_FAILED/);
    expect(kafka.consumers).toHaveLength(1);
    expect(invoker.stats).toMatchObject({ crashes: 1, restarts: 0 });
  });

  it('makes a bridge pipeline fail instead of idling when its consumer fails for good', async () => {
    // Arrange
    const kafka = fakeKafka();
    const pipeline = createPipeline({
      mode: 'bridge',
      invoker: { functionName: 'fn', kafka: kafka.kafka, lambda: fakeLambda(() => ({})).client },
    });
    const running = pipeline.run();
    await vi.waitFor(() => expect(kafka.consumers[0]?.eachBatch).toBeDefined());

    // Act
    kafka.consumers[0]!.crash(protocolError('TOPIC_AUTHORIZATION_FAILED'));

    // Assert
    await expect(running).rejects.toThrow(/TOPIC_AUTHORIZATION_FAILED/);
  });

  it('starts no invocation after stop() while a failed batch waits to be retried', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup(() => ({ FunctionError: 'Unhandled' }), {
      retry: { limit: -1, baseMs: 60_000, maxDelayMs: 60_000 },
    });
    await invoker.start();
    const batch = kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}']));
    await vi.waitFor(() => expect(invoker.stats.retries).toBe(1)); // failed once, now in the backoff

    // Act
    await invoker.stop();
    await batch.catch(() => undefined);

    // Assert
    expect(lambda.calls).toHaveLength(1);
    expect(kafka.consumers[0]!.commits).toEqual([]);
  });

  it('starts no invocation after stop() between the chunks of a batch', async () => {
    // Arrange
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { kafka, lambda, invoker } = setup(
      async () => {
        await gate;
        return {};
      },
      { batchSize: 1 },
    );
    await invoker.start();
    const batch = kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}', '{}']));
    await vi.waitFor(() => expect(lambda.calls).toHaveLength(1));

    // Act
    const stopped = invoker.stop();
    release();
    await stopped;
    await batch.catch(() => undefined);

    // Assert
    expect(lambda.calls).toHaveLength(1);
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '1' }]);
  });
});

/** An error as the AWS SDK throws it for an HTTP answer (`status`), or a network error (no status). */
function sdkError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} (test)`), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });
}

describe('Class: LambdaInvoker, retries', () => {
  it('retries Invokes that were throttled or found the endpoint unreachable without dead-lettering them (regression: fault suite f, g)', async () => {
    // Arrange: 429s, a 500, then refused connections, more than the retry limit allows, then success
    const failures = [
      sdkError('TooManyRequestsException', 429),
      sdkError('TooManyRequestsException', 429),
      sdkError('ServiceException', 500),
      sdkError('Error'), // connect ECONNREFUSED: no HTTP answer at all
      sdkError('Error'),
    ];
    const { kafka, lambda, invoker } = setup(
      (n) => {
        if (n <= failures.length) throw failures[n - 1];
        return {};
      },
      { retry: { limit: 1, baseMs: 1 }, deadLetterTopic: 'aviation-data-dlq' },
    );
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}']));

    // Assert: delivered on the sixth Invoke, nothing dead-lettered
    expect(lambda.calls).toHaveLength(6);
    expect(invoker.stats).toMatchObject({ deadLettered: 0, errors: 5 });
    expect(kafka.sends).toEqual([]);
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '2' }]);
    await invoker.stop();
  });

  it('still dead-letters after the retry limit when the function fails', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup(() => ({ FunctionError: 'Unhandled' }), {
      retry: { limit: 2, baseMs: 1 },
      deadLetterTopic: 'aviation-data-dlq',
    });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}']));

    // Assert: the first attempt and two retries, then the dead-letter topic
    expect(lambda.calls).toHaveLength(3);
    expect(invoker.stats).toMatchObject({ deadLettered: 1, invokedEvents: 3, failedInvokeEvents: 3 });
    expect(kafka.sends.map((send) => send.topic)).toEqual(['aviation-data-dlq']);
    expect(invoker.lastProcessingResult).toBe('PROBLEM: Function call failed');
    await invoker.stop();
  });

  it.each([
    ['AccessDeniedException', 403, 'PROBLEM: Insufficient permissions to invoke the function'],
    ['ExpiredTokenException', 403, 'PROBLEM: Insufficient permissions to invoke the function'],
    ['ResourceNotFoundException', 404, 'PROBLEM: Function not found'],
    ['ResourceConflictException', 409, 'PROBLEM: Function is not ready to be invoked'],
    ['TooManyRequestsException', 429, 'PROBLEM: Function call throttled'],
    ['ServiceException', 500, 'PROBLEM: Lambda internal error. Please contact Lambda customer support.'],
    ['TimeoutError', undefined, 'PROBLEM: Function call timed out'],
    ['Error', undefined, 'PROBLEM: Connection error. Lambda could not be reached'],
  ])(
    'never dead-letters on %s (%s): retries past the retry limit, reports the problem',
    async (name, status, problem) => {
      // Arrange: five refusals, more than the retry limit allows, then success
      const results: string[] = [];
      const { kafka, lambda, invoker } = setup(
        (n) => {
          if (n <= 5) throw sdkError(name, status);
          return {};
        },
        { retry: { limit: 1, baseMs: 1 }, deadLetterTopic: 'aviation-data-dlq' },
      );
      invoker.on('result', (result) => results.push(result));
      await invoker.start();

      // Act
      await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}']));

      // Assert
      expect(lambda.calls).toHaveLength(6);
      expect(kafka.sends).toEqual([]);
      expect(invoker.stats).toMatchObject({ deadLettered: 0, errors: 5, retries: 5, invokedEvents: 2 });
      expect(results).toEqual([problem, 'OK']);
      expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '2' }]);
      await invoker.stop();
    },
  );
});

describe('Class: LambdaInvoker, payload limits', () => {
  it('splits a batch Lambda refuses as too large (413) in halves, and dead-letters a record too large alone', async () => {
    // Arrange: Lambda refuses any event holding the record 'huge'
    const { kafka, lambda, invoker } = setup(
      (_n, event) => {
        const values = Object.values(event.records)
          .flat()
          .map((r) => Buffer.from(r.value!, 'base64').toString());
        if (values.includes('"huge"')) throw sdkError('RequestTooLargeException', 413);
        return {};
      },
      { deadLetterTopic: 'aviation-data-dlq' },
    );
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['1', '2', '"huge"', '4']));

    // Assert: [1 2 huge 4] → [1 2] ok, [huge 4] → [huge] dead-lettered, [4] ok
    const invoked = lambda.events.map((event) => Object.values(event.records).flat().length);
    expect(invoked).toEqual([4, 2, 2, 1, 1]);
    expect(kafka.sends).toHaveLength(1);
    expect(kafka.sends[0]!.messages[0]!.headers).toMatchObject({ 'x-dlq-reason': 'unrepresentable' });
    expect(invoker.stats).toMatchObject({ deadLettered: 1, retries: 0 });
    expect(kafka.consumers[0]!.commits.at(-1)).toEqual({ topic: 'aviation-data', partition: 0, offset: '4' });
    await invoker.stop();
  });

  it('dead-letters a record bigger than the payload limit alone without invoking, never crash-looping', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup(() => ({}), {
      maxPayloadBytes: 4096,
      deadLetterTopic: 'aviation-data-dlq',
    });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', 'x'.repeat(10_000), '{}']));

    // Assert
    expect(
      lambda.events.map((event) =>
        Object.values(event.records)
          .flat()
          .map((r) => r.offset),
      ),
    ).toEqual([[0], [2]]);
    expect(kafka.sends[0]!.messages[0]!.headers).toMatchObject({
      'x-dlq-reason': 'unrepresentable',
      'x-dlq-original-offset': '1',
    });
    expect(kafka.consumers[0]!.commits.at(-1)!.offset).toBe('3');
    await invoker.stop();
  });

  it('writes a huge failed batch to the dead-letter topic gzip-compressed, in sends under the broker limit', async () => {
    // Arrange: 40 records of 100 KB the function fails, a 1 MB dead-letter limit
    const { kafka, invoker } = setup(() => ({ FunctionError: 'Unhandled' }), {
      retry: { limit: 0, baseMs: 1 },
      deadLetterTopic: 'aviation-data-dlq',
      deadLetterMaxBytes: 1_000_000,
    });
    await invoker.start();
    const values = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(100_000, 'x'));

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, values));

    // Assert
    const sizes = kafka.sends.map((send) =>
      send.messages.reduce((sum, m) => sum + (m.value as Buffer).length, 0),
    );
    expect(kafka.sends.length).toBeGreaterThanOrEqual(4);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(1_000_000);
    expect(kafka.sends.every((send) => send.compression === CompressionTypes.GZIP)).toBe(true);
    expect(kafka.delivered).toHaveLength(40);
    expect(invoker.stats.deadLettered).toBe(40);
    await invoker.stop();
  });

  it('dead-letters a record too big for the dead-letter topic even compressed without its value', async () => {
    // Arrange: random bytes do not compress
    const { kafka, invoker } = setup(() => ({ FunctionError: 'Unhandled' }), {
      retry: { limit: 0, baseMs: 1 },
      deadLetterTopic: 'aviation-data-dlq',
      deadLetterMaxBytes: 10_000,
    });
    await invoker.start();
    const batch = batchOf('aviation-data', 0, ['{}']);
    batch.batch.messages[0]!.value = randomBytes(50_000);

    // Act
    await kafka.consumers[0]!.eachBatch!(batch);

    // Assert
    const [message] = kafka.delivered;
    expect(message!.value).toBeNull();
    expect(String(message!.headers!['x-dlq-value-dropped'])).toMatch(/50000 bytes/);
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '1' }]);
    await invoker.stop();
  });
});

describe('Class: LambdaInvoker, start', () => {
  it('commits the resolved LATEST offset for partitions the group has none for, before consuming', async () => {
    // Arrange: partition 0 never committed (high 42), partition 1 committed at 7
    const { kafka, invoker } = setup(() => ({}), { startingPosition: 'LATEST' });
    kafka.partitions = [
      { partition: 0, committed: '-1', low: '3', high: '42' },
      { partition: 1, committed: '7', low: '0', high: '9' },
    ];

    // Act
    await invoker.start();

    // Assert
    expect(kafka.setOffsets).toEqual([
      {
        groupId: 'opensky-stream-bridge',
        topic: 'aviation-data',
        partitions: [{ partition: 0, offset: '42' }],
      },
    ]);
    await invoker.stop();
  });

  it('resolves LATEST once: a restart after a crash commits nothing more', async () => {
    // Arrange
    const { kafka, invoker } = setup(() => ({}), { startingPosition: 'LATEST' });
    kafka.partitions = [{ partition: 0, committed: '-1', low: '3', high: '42' }];

    // Act: start, then a restart of the consumer after a crash
    await invoker.start();
    kafka.consumers[0]!.crash(connectionRefused(), false);
    await vi.waitFor(() => expect(invoker.stats.restarts).toBe(1));

    // Assert: resolved once
    expect(kafka.setOffsets.map((call) => call.partitions)).toEqual([[{ partition: 0, offset: '42' }]]);
    await invoker.stop();
  });

  it('starts TRIM_HORIZON from the earliest record without committing (no group join before consuming)', async () => {
    // Arrange: a partition the group never committed
    const { kafka, invoker } = setup(() => ({}), { startingPosition: 'TRIM_HORIZON' });
    kafka.partitions = [{ partition: 0, committed: '-1', low: '3', high: '42' }];

    // Act: start, then a restart of the consumer after a crash
    await invoker.start();
    kafka.consumers[0]!.crash(connectionRefused(), false);
    await vi.waitFor(() => expect(invoker.stats.restarts).toBe(1));

    // Assert: both consumers read uncommitted partitions from the earliest offset; nothing set
    expect(kafka.setOffsets).toEqual([]);
    expect(kafka.consumers.map((c) => c.subscriptions)).toEqual([
      [{ topic: 'aviation-data', fromBeginning: true }],
      [{ topic: 'aviation-data', fromBeginning: true }],
    ]);
    await invoker.stop();
  });

  it('refuses to start when the function does not exist, with a configuration error', async () => {
    // Arrange
    const kafka = fakeKafka();
    const lambda = fakeLambda(() => ({}), sdkError('ResourceNotFoundException', 404));
    const invoker = new LambdaInvoker({ functionName: 'nope', kafka: kafka.kafka, lambda: lambda.client });

    // Act
    const started = invoker.start();

    // Assert
    await expect(started).rejects.toMatchObject({ code: 'OSS_CONFIG', path: '/options/functionName' });
    await expect(started).rejects.toThrow(/nope/);
    expect(kafka.consumers).toHaveLength(0);
  });

  it("abandons an Invoke after the function's timeout plus the margin, and retries it", async () => {
    // Arrange: a 1 s function; the first Invoke never answers
    let hung = false;
    const { kafka, lambda, invoker } = setup(
      (n) => {
        if (n === 1) {
          hung = true;
          return new Promise<Answer>(() => undefined);
        }
        return {};
      },
      { invokeTimeoutMarginMs: 50 },
    );
    lambda.configuration.Timeout = 0.1;
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}']));

    // Assert
    expect(hung).toBe(true);
    expect(lambda.signals[0]!.aborted).toBe(true);
    expect(lambda.calls).toHaveLength(2);
    expect(invoker.stats).toMatchObject({ errors: 1, deadLettered: 0 });
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '1' }]);
    await invoker.stop();
  });
});

describe('Class: LambdaInvoker, record age', () => {
  it('drops and counts expired records when there is no dead-letter topic, never crash-looping', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup(() => ({}), { maximumRecordAgeSeconds: 60 });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(
      batchOf('aviation-data', 0, ['{}', '{}'], { timestamp: Date.now() - 3_600_000 }),
    );

    // Assert
    expect(lambda.calls).toHaveLength(0);
    expect(invoker.stats).toMatchObject({ dropped: 2, deadLettered: 0, crashes: 0 });
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '2' }]);
    await invoker.stop();
  });

  it('re-checks the age before every retry: a batch that keeps failing is dropped once it expires', async () => {
    // Arrange: records 1 s from expiry, a function failing for good, retries without limit
    const { kafka, lambda, invoker } = setup(() => ({ FunctionError: 'Unhandled' }), {
      maximumRecordAgeSeconds: 60,
      retry: { limit: -1, baseMs: 100, maxDelayMs: 100 },
    });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(
      batchOf('aviation-data', 0, ['{}'], { timestamp: Date.now() - 59_000 }),
    );

    // Assert
    expect(lambda.calls.length).toBeGreaterThan(1);
    expect(invoker.stats.dropped).toBe(1);
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '1' }]);
    await invoker.stop();
  });
});

describe('Class: LambdaInvoker, event source mapping options', () => {
  const failSecond = {
    body: { batchItemFailures: [{ itemIdentifier: { partition: 'aviation-data-0', offset: 1 } }] },
  };

  it('honours batchItemFailures by default: retries from the failed record', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup((n) => (n === 1 ? failSecond : {}));
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}', '{}']));

    // Assert
    expect(lambda.events.map((event) => event.records['aviation-data-0']!.map((r) => r.offset))).toEqual([
      [0, 1, 2],
      [1, 2],
    ]);
    expect(invoker.stats).toMatchObject({ partialFailures: 1, invokedEvents: 5, failedInvokeEvents: 2 });
    await invoker.stop();
  });

  it('ignores batchItemFailures without reportBatchItemFailures, as AWS does', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup(() => failSecond, { reportBatchItemFailures: false });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}', '{}']));

    // Assert
    expect(lambda.calls).toHaveLength(1);
    expect(invoker.stats).toMatchObject({ partialFailures: 0, polled: 3, invokedEvents: 3 });
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '3' }]);
    await invoker.stop();
  });

  it('never invokes records the filter drops, and commits past them', async () => {
    // Arrange
    const { kafka, lambda, invoker } = setup(() => ({}), {
      filter: (record) => record.value?.toString() !== 'skip',
    });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['a', 'skip', 'b', 'skip']));

    // Assert
    expect(lambda.events.map((event) => event.records['aviation-data-0']!.map((r) => r.offset))).toEqual([
      [0, 2],
    ]);
    expect(invoker.stats).toMatchObject({ filteredOut: 2, invokedEvents: 2, polled: 4 });
    expect(kafka.consumers[0]!.commits.at(-1)!.offset).toBe('4');
    await invoker.stop();
  });

  it('sends records given up on to onFailure instead of the dead-letter topic, retrying it until it takes them', async () => {
    // Arrange
    const delivered: FailedRecords[] = [];
    let refusals = 1;
    const onFailure = {
      deliver: async (failure: FailedRecords) => {
        if (refusals-- > 0) throw new Error('queue unavailable');
        delivered.push(failure);
      },
    };
    const { kafka, invoker } = setup(() => ({ FunctionError: 'Unhandled' }), {
      retry: { limit: 1, baseMs: 1 },
      deadLetterTopic: 'aviation-data-dlq',
      onFailure,
    });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}', '{}']));

    // Assert
    expect(kafka.sends).toEqual([]);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      reason: 'retries-exhausted',
      attempts: 2,
      functionName: 'fn',
      error: { type: 'Unhandled', message: 'Error: boom' },
    });
    expect(delivered[0]!.records.map((r) => r.offset)).toEqual(['0', '1']);
    expect(invoker.stats).toMatchObject({ onFailureDelivered: 2, deadLettered: 0 });
    expect(kafka.consumers[0]!.commits).toEqual([{ topic: 'aviation-data', partition: 0, offset: '2' }]);
    await invoker.stop();
  });

  it('heartbeats while a function runs longer than the heartbeat interval', async () => {
    // Arrange: a 1 s session (heartbeats every 333 ms), a function taking 1.2 s
    let heartbeats = 0;
    const { kafka, invoker } = setup(() => sleep(1200).then(() => ({})), { sessionTimeoutMs: 1000 });
    await invoker.start();

    // Act
    await kafka.consumers[0]!.eachBatch!(
      batchOf('aviation-data', 0, ['{}'], {
        heartbeat: async () => {
          heartbeats++;
        },
      }),
    );

    // Assert
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    await invoker.stop();
  });
});
