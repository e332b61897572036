import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { EventMeta } from './event-meta.ts';

const tracer = trace.getTracer('@fleet/processor');

// How a trace continues from a record: the kafkajs instrumentation only links spans in eachBatch, and
// the fleet's records carry the W3C context of the span that sent them (the producer SDK's `send`, the
// outbox relay's `send`), so each event's `process` span is a child of that span, one trace per flow.
// Without a started SDK the API's propagator is a no-op: nothing is extracted, and follow-ons carry
// the cause's own `traceparent` on (see `currentTraceHeaders`).
const producerContext = (meta: EventMeta) => propagation.extract(ROOT_CONTEXT, meta.headers);

/** The context of each event's own `process` span while it is open, for its follow-ons. */
const eventSpanContexts = new WeakMap<EventMeta, Context>();

/**
 * Replays and rebuilds process history again: their spans start traces of their own and link to the
 * original (a span parented into a flow hours later would make that flow look unfinished, and a
 * rebuild of a million events would add a million children to old traces).
 */
const replaying = new AsyncLocalStorage<boolean>();

/** Runs `work` (e.g. starting a replaying runtime) so that every span made from it links instead of parenting. */
export function withReplayTracing<T>(work: () => T): T {
  return replaying.run(true, work);
}

const messagingAttributes = (processor: string, meta: EventMeta): Attributes => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'process',
  'messaging.operation.name': 'process',
  'messaging.destination.name': meta.topic,
  'messaging.destination.partition.id': String(meta.partition),
  'messaging.kafka.offset': Number(meta.offset),
  'messaging.message.id': meta.id,
  'messaging.consumer.group.name': processor,
  'fleet.processor': processor,
  'cloudevents.event_type': meta.type,
  'fleet.correlation_id': meta.correlationId,
});

/** A span for one event: a child of the span that sent its record, or linked to it when replaying. */
function startEventSpan(processor: string, meta: EventMeta, batch?: Span): { span: Span; context: Context } {
  const sender = producerContext(meta);
  const senderSpan = trace.getSpanContext(sender);
  const replay = replaying.getStore() === true;
  const links: Link[] = [];
  if (replay && senderSpan) links.push({ context: senderSpan, attributes: { 'fleet.link': 'replayed' } });
  if (batch) links.push({ context: batch.spanContext(), attributes: { 'fleet.link': 'batch' } });
  const attributes = messagingAttributes(processor, meta);
  if (replay) attributes['fleet.replay'] = true;
  if (batch) {
    // Zipkin drops links: the batch span's IDs as tags keep it findable there.
    attributes['fleet.batch.trace_id'] = batch.spanContext().traceId;
    attributes['fleet.batch.span_id'] = batch.spanContext().spanId;
  }
  const parent = replay ? ROOT_CONTEXT : sender;
  const span = tracer.startSpan(
    `process ${meta.type}`,
    { kind: SpanKind.CONSUMER, attributes, links },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `work` in a span that continues the event's trace (W3C traceparent header). */
export async function inEventSpan<T>(processor: string, meta: EventMeta, work: () => Promise<T>): Promise<T> {
  const { span, context: spanContext } = startEventSpan(processor, meta);
  eventSpanContexts.set(meta, spanContext);
  try {
    return await context.with(spanContext, () => finish([span], work));
  } finally {
    eventSpanContexts.delete(meta);
  }
}

/**
 * One span for a batch handler call, linked to every event's sender span; and each event's own
 * `process` span, a child of its sender (so every flow's trace shows the event) linked to the batch
 * span, open as long as the call. The handler's queries are children of the batch span; follow-ons
 * published for a cause carry the cause's own span context.
 */
export async function inBatchSpan<T>(
  processor: string,
  type: string,
  metas: EventMeta[],
  work: () => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  for (const meta of metas) {
    const spanContext = trace.getSpanContext(producerContext(meta));
    if (spanContext) links.push({ context: spanContext });
  }
  const attributes: Attributes = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.batch.message_count': metas.length,
    'messaging.consumer.group.name': processor,
    'fleet.processor': processor,
    'cloudevents.event_type': type,
  };
  if (replaying.getStore() === true) attributes['fleet.replay'] = true;
  const batch = tracer.startSpan(
    `process ${type} ×${metas.length}`,
    { kind: SpanKind.CONSUMER, links, attributes },
    ROOT_CONTEXT,
  );
  const events = metas.map((meta) => {
    const started = startEventSpan(processor, meta, batch);
    eventSpanContexts.set(meta, started.context);
    return started.span;
  });
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, batch), () => finish([batch, ...events], work));
  } finally {
    for (const meta of metas) eventSpanContexts.delete(meta);
  }
}

/**
 * The W3C trace context to put on a follow-on event: its cause's `process` span's, else the active
 * span's, else (tracing off) the cause's own headers, so a trace continues through a processor that
 * does not trace.
 */
export function currentTraceHeaders(cause: EventMeta): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(eventSpanContexts.get(cause) ?? context.active(), carrier);
  const traceparent = carrier.traceparent ?? cause.traceparent;
  const tracestate = carrier.traceparent ? carrier.tracestate : cause.headers.tracestate;
  return { ...(traceparent ? { traceparent } : {}), ...(tracestate ? { tracestate } : {}) };
}

/** What the outbox relay sends: one row's topic, key, headers, event ID. */
export interface OutgoingRecord {
  topic: string;
  key: string | null;
  eventId: string;
  headers: Record<string, string>;
}

/**
 * One `send <topic>` producer span per record the relay publishes, a child of the context its row
 * carries (the span that published it, in its flow's trace); the record goes out with the send span's
 * context instead. Returns the headers to send and a function that ends the spans.
 */
export function startSendSpans(
  records: OutgoingRecord[],
  attributes: Attributes,
): { headers: Record<string, string>[]; end(error?: unknown): void } {
  const spans: Span[] = [];
  const headers = records.map((record) => {
    const parent = propagation.extract(ROOT_CONTEXT, record.headers);
    const span = tracer.startSpan(
      `send ${record.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.destination.name': record.topic,
          'messaging.message.id': record.eventId,
          ...(record.key !== null ? { 'messaging.kafka.message.key': record.key } : {}),
          ...(record.headers.ce_type ? { 'cloudevents.event_type': record.headers.ce_type } : {}),
          ...attributes,
        },
      },
      parent,
    );
    spans.push(span);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    if (!carrier.traceparent) return record.headers; // tracing off: the row's context goes on as it is
    const { traceparent: _p, tracestate: _s, ...rest } = record.headers;
    return { ...rest, ...carrier };
  });
  return {
    headers,
    end(error?: unknown) {
      for (const span of spans) {
        if (error) failed(span, error);
        span.end();
      }
    },
  };
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

async function finish<T>(spans: Span[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    for (const span of spans) failed(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}
