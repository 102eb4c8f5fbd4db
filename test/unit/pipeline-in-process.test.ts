import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlightRecord } from '../../src/domain/types.ts';
import type { PublishResult } from '../../src/index.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { parseStatesResponse, transformStateVector } from '../../src/transform/index.ts';
import { type SnsTestServer, startSnsServer } from '../support/sns-server.ts';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:FlightNotifications';

let sns: SnsTestServer | undefined;
afterEach(async () => {
  await sns?.close();
  sns = undefined;
});

const client = (endpoint: string) =>
  new SNSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

describe('Function: createPipeline (in-process)', () => {
  it('stop() counts the records SNS had not confirmed, and the ones it had', async () => {
    // Arrange: SNS confirms the first PublishBatch and never answers the others.
    sns = await startSnsServer({ hold: (n) => n > 1 });
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 60, seed: 5 }));
    const inAir = response.states.map((sv) => transformStateVector(sv)).filter((r) => r !== null);
    expect(inAir.length).toBeGreaterThan(20);
    const pipeline = createPipeline({
      mode: 'in-process',
      source: (async function* () {
        yield response;
      })(),
      publisher: { topicArn: TOPIC, client: client(sns.endpoint) },
    });
    const results: PublishResult<FlightRecord>[] = [];
    pipeline.on('published', (result) => results.push(result));

    // Act: stop while SNS holds the batches after the first.
    const running = pipeline.run();
    await sns.received(2);
    await pipeline.stop();
    await running;

    // Assert: every record is accounted for; none silently lost.
    expect(pipeline.stats).toMatchObject({
      states: response.states.length,
      published: 10,
      filtered: response.states.length - inAir.length,
      malformed: 0,
      publishFailed: 0,
      unconfirmed: inAir.length - 10,
    });
    expect(results).toHaveLength(1);
    expect(results[0]!.published).toBe(10);
    expect(results[0]!.failed.map((f) => f.code)).toEqual(inAir.slice(10).map(() => 'Aborted'));
  });

  it('a throwing custom transform fails only its own record; the pipeline goes on', async () => {
    sns = await startSnsServer();
    const { response } = parseStatesResponse(generateSnapshot({ aircraft: 30, seed: 8 }));
    const victim = response.states[3]!.icao24;
    const pipeline = createPipeline({
      mode: 'in-process',
      source: (async function* () {
        yield response;
        yield { ...response, time: response.time + 5 };
      })(),
      publisher: { topicArn: TOPIC, client: client(sns.endpoint) },
      transform: (sv) => {
        if (sv.icao24 === victim) throw new Error('cannot transform this one');
        return transformStateVector(sv);
      },
    });
    await pipeline.run();
    const inAir = response.states.filter((sv) => sv.icao24 !== victim && transformStateVector(sv) !== null);
    expect(pipeline.stats).toMatchObject({
      snapshots: 2,
      states: 60,
      published: 2 * inAir.length,
      filtered: 2 * (29 - inAir.length),
      malformed: 0,
      transformFailed: 2,
      publishFailed: 0,
      unconfirmed: 0,
    });
  });
});
