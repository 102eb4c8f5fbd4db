import type { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it, vi } from 'vitest';
import { LambdaInvoker, type LambdaInvokerOptions } from '../../src/bridge/index.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { batchOf, connectionRefused, fakeKafka, protocolError } from '../support/fake-kafka.ts';

/** A Lambda client whose Invoke answers through `answer` and counts calls. */
function fakeLambda(answer: (n: number) => Promise<{ FunctionError?: string }> | { FunctionError?: string }) {
  const calls: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      calls.push(command);
      const { FunctionError } = await answer(calls.length);
      return {
        StatusCode: 200,
        FunctionError,
        Payload: Buffer.from(FunctionError ? '{"errorType":"Error","errorMessage":"boom"}' : '{}'),
      };
    },
  };
  return { client: client as unknown as LambdaClient, calls };
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
    restartBaseMs: 1,
    retryBaseMs: 1,
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
      maxRetryAttempts: -1,
      retryBaseMs: 60_000,
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
    // Arrange: 429s, a 500, then refused connections, more than maxRetryAttempts allows, then success
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
      { maxRetryAttempts: 1, deadLetterTopic: 'aviation-data-dlq' },
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

  it('still dead-letters after maxRetryAttempts when the function fails, or Invoke is refused for good', async () => {
    // Arrange
    const cases = [
      () => ({ FunctionError: 'Unhandled' }),
      () => {
        throw sdkError('ResourceNotFoundException', 404);
      },
    ];
    for (const answer of cases) {
      const { kafka, lambda, invoker } = setup(answer, {
        maxRetryAttempts: 2,
        deadLetterTopic: 'aviation-data-dlq',
      });
      await invoker.start();

      // Act
      await kafka.consumers[0]!.eachBatch!(batchOf('aviation-data', 0, ['{}']));

      // Assert: the first attempt and two retries, then the dead-letter topic
      expect(lambda.calls).toHaveLength(3);
      expect(invoker.stats.deadLettered).toBe(1);
      expect(kafka.sends.map((send) => send.topic)).toEqual(['aviation-data-dlq']);
      await invoker.stop();
    }
  });
});
