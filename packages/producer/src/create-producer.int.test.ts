import { defineEvent, defineTopic, EventValidationError, envelopeFromHeaders } from '@fleet/contracts';
import { createTestTopic, infraSettings, testKafka, topicSize, uniqueName } from '@fleet/testkit';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { batchItem, createProducer, type FleetProducer } from './create-producer.ts';

let admin: Admin;
let producer: FleetProducer;
let consumer: Consumer;
let topicName: string;
const received: KafkaMessage[] = [];

const shape = z.object({ orderId: z.uuid(), totalCents: z.number().int().nonnegative() });
let Placed: ReturnType<typeof makeEvents>['Placed'];
let Cancelled: ReturnType<typeof makeEvents>['Cancelled'];

function makeEvents(name: string) {
  const topic = defineTopic({ name, partitions: 3, replicationFactor: 1, description: 't', key: 'orderId' });
  const example = { orderId: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21', totalCents: 1 };
  return {
    Placed: defineEvent({
      name: 'Placed',
      version: 1,
      topic,
      schema: shape,
      key: (d) => d.orderId,
      example,
      description: 'd',
    }),
    Cancelled: defineEvent({
      name: 'Cancelled',
      version: 1,
      topic,
      schema: z.object({ orderId: z.uuid() }),
      key: (d) => d.orderId,
      example: { orderId: example.orderId },
      description: 'd',
    }),
  };
}

async function waitForMessages(n: number): Promise<KafkaMessage[]> {
  const deadline = Date.now() + 20_000;
  while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return received.splice(0, n);
}

beforeAll(async () => {
  const kafka = testKafka('producer-test');
  admin = kafka.admin();
  await admin.connect();
  topicName = await createTestTopic(admin, 'producer', 3);
  ({ Placed, Cancelled } = makeEvents(topicName));
  const { kafkaBrokers, schemaRegistryUrl } = infraSettings();
  producer = createProducer({
    brokers: kafkaBrokers,
    registryUrl: schemaRegistryUrl,
    source: '/test/producer',
    events: [Placed, Cancelled],
  });
  await producer.connect();
  consumer = kafka.consumer({ groupId: uniqueName('producer-test') });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
});

afterAll(async () => {
  await consumer?.disconnect();
  await producer?.disconnect();
  await admin?.deleteTopics({ topics: [topicName] }).catch(() => undefined);
  await admin?.disconnect();
});

describe('createProducer', () => {
  it('publishes a validated, registered CloudEvent keyed by the event key', async () => {
    const orderId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const id = await producer.publish(
      Placed,
      { orderId, totalCents: 1250 },
      { causationId: 'cmd-1', headers: { 'x-tenant': 'acme' } },
    );
    const [message] = await waitForMessages(1);
    expect(message?.key?.toString()).toBe(orderId);
    const env = envelopeFromHeaders(message?.headers);
    expect(env).toMatchObject({
      id,
      type: Placed.type,
      source: '/test/producer',
      specversion: '1.0',
      subject: orderId,
      correlationId: id,
      causationId: 'cmd-1',
      contentType: 'application/json',
    });
    expect(message?.headers?.['x-tenant']?.toString()).toBe('acme');
    const value = message?.value as Buffer;
    expect(value.readInt32BE(1)).toBe(producer.codec.schemaIdOf(Placed));
    expect(await producer.codec.decode(value, Placed, { type: env.type })).toEqual({
      orderId,
      totalCents: 1250,
    });
  });

  it('throws EventValidationError on invalid data and sends nothing', async () => {
    const before = await topicSize(admin, topicName);
    const bad = { orderId: 'not-a-uuid', totalCents: -1 };
    await expect(producer.publish(Placed, bad)).rejects.toBeInstanceOf(EventValidationError);
    await expect(producer.publish(Placed, bad)).rejects.toThrow(/orderId: Invalid UUID[\s\S]*totalCents/);
    // A batch with one bad item sends none of them.
    await expect(
      producer.publishBatch([
        batchItem(Placed, { orderId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', totalCents: 1 }),
        batchItem(Placed, bad),
      ]),
    ).rejects.toMatchObject({ code: 'EVENT_INVALID' });
    expect(await topicSize(admin, topicName)).toBe(before);
  });

  it('publishes a batch of several event types, with given ids and correlation', async () => {
    const a = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    const b = 'b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    const ids = await producer.publishBatch([
      batchItem(Placed, { orderId: a, totalCents: 5 }, { id: 'evt-a', correlationId: 'flow-1' }),
      batchItem(Placed, { orderId: b, totalCents: 6 }, { correlationId: 'flow-1' }),
      batchItem(Cancelled, { orderId: a }, { causationId: 'evt-a', correlationId: 'flow-1' }),
    ]);
    expect(ids[0]).toBe('evt-a');
    expect(ids).toHaveLength(3);
    const messages = await waitForMessages(3);
    const envs = messages.map((m) => envelopeFromHeaders(m.headers));
    expect(envs.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(new Set(envs.map((e) => e.correlationId))).toEqual(new Set(['flow-1']));
    const cancelled = messages.find(
      (m) => envelopeFromHeaders(m.headers).type === Cancelled.type,
    ) as KafkaMessage;
    expect(await producer.codec.decode(cancelled.value as Buffer, Cancelled)).toEqual({ orderId: a });
    expect(cancelled.key?.toString()).toBe(a);
  });

  it('refuses event types it was not given, and publishing before connect', async () => {
    const other = makeEvents(uniqueName('other')).Placed;
    await expect(producer.publish(other, other.example)).rejects.toMatchObject({
      code: 'UNKNOWN_EVENT_TYPE',
    });
    const idle = createProducer({
      brokers: ['127.0.0.1:1'],
      registryUrl: 'http://127.0.0.1:1',
      source: '/x',
      events: [Placed],
    });
    await expect(idle.publish(Placed, Placed.example)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});

describe('createProducer with tracing on', () => {
  it('sends each event in a `send` span, a child of the active span, whose context the record carries', async () => {
    const spans = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    try {
      const orderId = 'c1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
      const request = await trace.getTracer('test').startActiveSpan('POST /orders', async (span) => {
        await producer.publish(Placed, { orderId, totalCents: 3 }, { correlationId: 'corr-t' });
        span.end();
        return span.spanContext();
      });
      // A caller's own trace context, given explicitly, is continued instead of the active one.
      const given = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const [explicitId] = await producer.publishBatch([
        batchItem(Cancelled, { orderId }, { traceparent: given, tracestate: 'v=1' }),
      ]);
      const [placed, cancelled] = await waitForMessages(2);
      const send = spans
        .getFinishedSpans()
        .find(
          (s) => s.name === `send ${topicName}` && s.attributes['cloudevents.event_type'] === Placed.type,
        );
      expect(send?.kind).toBe(SpanKind.PRODUCER);
      expect(send?.parentSpanContext?.spanId).toBe(request.spanId);
      expect(send?.spanContext().traceId).toBe(request.traceId);
      expect(send?.attributes['messaging.message.id']).toBe(envelopeFromHeaders(placed?.headers).id);
      expect(envelopeFromHeaders(placed?.headers).traceparent).toBe(
        `00-${request.traceId}-${send?.spanContext().spanId}-01`,
      );
      const explicit = spans
        .getFinishedSpans()
        .find((s) => s.attributes['messaging.message.id'] === explicitId);
      expect(explicit?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(envelopeFromHeaders(cancelled?.headers)).toMatchObject({
        traceparent: `00-0af7651916cd43dd8448eb211c80319c-${explicit?.spanContext().spanId}-01`,
        tracestate: 'v=1',
      });
    } finally {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    }
  });
});
