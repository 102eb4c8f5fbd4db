import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { EachBatchPayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processFlightBatch } from '../../src/batch/index.ts';
import { LambdaInvoker } from '../../src/bridge/index.ts';
import { decodeKafkaRecord, type KafkaEvent } from '../../src/handler/index.ts';
import { createPipeline } from '../../src/pipeline/index.ts';
import {
  loadTracing,
  parseTraceparent,
  startSpan,
  TRACEPARENT,
  tracingActive,
} from '../../src/tracing/index.ts';
import { batchOf, fakeKafka } from '../support/fake-kafka.ts';
import { fakePublisher } from '../support/publishers.ts';
import { stateVector } from '../support/records.ts';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01';

async function* snapshots(count: number, aircraft = 3) {
  for (let n = 0; n < count; n++)
    yield {
      time: 1_722_515_700 + n * 10,
      states: Array.from({ length: aircraft }, (_, i) => stateVector(`a0000${i}`)),
    };
}

const headerOf = (message: { headers?: Record<string, unknown> }) => String(message.headers?.[TRACEPARENT]);

describe('Tracing without a registered tracer', () => {
  it('loads the API but starts no span', async () => {
    expect(await loadTracing()).toBe(true);
    expect(tracingActive()).toBe(false);
    expect(startSpan('nothing', { parents: [PARENT] })).toBeUndefined();
  });

  it('produce starts one sampled trace per snapshot, in every message of it', async () => {
    // Arrange
    const kafka = fakeKafka();
    const pipeline = createPipeline({
      mode: 'produce',
      source: snapshots(3),
      sink: { kafka: kafka.kafka },
      ensureTopic: false,
    });

    // Act
    await pipeline.run();

    // Assert
    const parents = kafka.delivered.map(headerOf);
    expect(parents).toHaveLength(9);
    for (const value of parents) expect(parseTraceparent(value)?.flags).toBe(1);
    const perSnapshot = [0, 3, 6].map((at) => new Set(parents.slice(at, at + 3)));
    expect(perSnapshot.map((set) => set.size)).toEqual([1, 1, 1]);
    expect(new Set(parents.map((p) => parseTraceparent(p)!.traceId)).size).toBe(3);
  });

  it('produce can leave trace context out', async () => {
    const kafka = fakeKafka();
    const pipeline = createPipeline({
      mode: 'produce',
      source: snapshots(1),
      sink: { kafka: kafka.kafka },
      ensureTopic: false,
      traceContext: false,
    });
    await pipeline.run();
    expect(kafka.delivered[0]!.headers).not.toHaveProperty(TRACEPARENT);
  });

  it('the batch core carries each valid record traceparent unchanged, and no malformed one', async () => {
    const publisher = fakePublisher();

    await processFlightBatch(
      [
        { id: 0, value: stateVector('aaaaaa'), traceparent: PARENT },
        { id: 1, value: stateVector('bbbbbb'), traceparent: 'not-a-traceparent' },
        { id: 2, value: stateVector('cccccc') },
        { id: 3, value: stateVector('dddddd'), traceparent: OTHER },
      ],
      { publisher },
    );

    expect(publisher.carried).toEqual([PARENT, undefined, undefined, OTHER]);
  });
});

describe('Tracing with a registered OpenTelemetry tracer', () => {
  const exporter = new InMemorySpanExporter();
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

  beforeAll(async () => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await loadTracing();
  });
  afterAll(() => {
    trace.disable();
  });

  it('makes one distinct parent the parent, and several the links', () => {
    const child = startSpan('one', { parents: [PARENT, PARENT, 'junk', undefined] })!;
    const linked = startSpan('two', { parents: [PARENT, OTHER] })!;
    child.end();
    linked.end();

    expect(tracingActive()).toBe(true);
    expect(child.traceId).toBe(parseTraceparent(PARENT)!.traceId);
    expect(spans('one')[0]!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(spans('two')[0]!.parentSpanContext).toBeUndefined();
    expect(spans('two')[0]!.links.map((l) => l.context.traceId)).toEqual([
      '4bf92f3577b34da6a3ce929d0e0e4736',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ]);
  });

  it('produce: the header is the context of a producer span that ends once Kafka acknowledged the snapshot', async () => {
    exporter.reset();
    const kafka = fakeKafka();
    const poll = '00-cccccccccccccccccccccccccccccccc-dddddddddddddddd-01';
    async function* polled() {
      for await (const snapshot of snapshots(1)) yield { ...snapshot, traceparent: poll };
    }
    const pipeline = createPipeline({
      mode: 'produce',
      source: polled(),
      sink: { kafka: kafka.kafka },
      ensureTopic: false,
    });

    await pipeline.run();

    const [span] = spans('send aviation-data');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    const header = parseTraceparent(headerOf(kafka.delivered[0]!))!;
    expect(header).toMatchObject({
      traceId: span!.spanContext().traceId,
      spanId: span!.spanContext().spanId,
    });
    // It continues the poll's span.
    expect(header.traceId).toBe('cccccccccccccccccccccccccccccccc');
    expect(span!.parentSpanContext?.spanId).toBe('dddddddddddddddd');
  });

  it('bridge: passes the headers to the function unchanged and invokes inside a child span', async () => {
    exporter.reset();
    const kafka = fakeKafka();
    const payloads: KafkaEvent[] = [];
    const lambda = {
      send: async (command: InvokeCommand) => {
        payloads.push(
          JSON.parse(Buffer.from(command.input.Payload as Uint8Array).toString('utf8')) as KafkaEvent,
        );
        return { StatusCode: 200, Payload: Buffer.from('{}') };
      },
    } as unknown as LambdaClient;
    const invoker = new LambdaInvoker({
      functionName: 'fn',
      kafka: kafka.kafka,
      lambda,
      deadLetterTopic: null,
    });
    await invoker.start();
    const batch = batchOf('aviation-data', 0, ['{}', '{}']);
    for (const message of batch.batch.messages) message.headers = { [TRACEPARENT]: Buffer.from(PARENT) };

    await kafka.consumers[0]!.eachBatch!(batch as EachBatchPayload);
    await invoker.stop();

    const record = payloads[0]!.records['aviation-data-0']![0]!;
    expect(decodeKafkaRecord(record).headers[TRACEPARENT]).toBe(PARENT);
    const [span] = spans('invoke fn');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('Lambda: publishes inside a child span, whose context the notifications carry', async () => {
    exporter.reset();
    const publisher = fakePublisher();

    await processFlightBatch(
      [
        { id: 0, value: stateVector('aaaaaa'), traceparent: PARENT },
        { id: 1, value: stateVector('bbbbbb'), traceparent: PARENT },
      ],
      { publisher },
    );

    const [span] = spans('sns publish');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
    const carried = publisher.carried.map((value) => parseTraceparent(value)!);
    expect(carried.map((c) => c.traceId)).toEqual([
      '4bf92f3577b34da6a3ce929d0e0e4736',
      '4bf92f3577b34da6a3ce929d0e0e4736',
    ]);
    expect(carried[0]!.spanId).toBe(span!.spanContext().spanId);
  });

  it('Lambda: records of several traces keep their own trace ids under a linked span', async () => {
    exporter.reset();
    const publisher = fakePublisher();

    await processFlightBatch(
      [
        { id: 0, value: stateVector('aaaaaa'), traceparent: PARENT },
        { id: 1, value: stateVector('bbbbbb'), traceparent: OTHER },
      ],
      { publisher },
    );

    expect(spans('sns publish')).toHaveLength(1);
    expect(spans('sns publish')[0]!.links).toHaveLength(2);
    expect(publisher.carried).toEqual([PARENT, OTHER]);
  });
});
