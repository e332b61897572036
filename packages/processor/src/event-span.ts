import {
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { EventMeta } from './event-meta.ts';

const tracer = trace.getTracer('@fleet/processor');

// The kafkajs instrumentation only links spans in eachBatch; we continue each producer's trace ourselves.
const producerContext = (meta: EventMeta) => propagation.extract(ROOT_CONTEXT, meta.headers);

/** Runs `work` in a span that continues the event's trace (W3C traceparent header). */
export function inEventSpan<T>(processor: string, meta: EventMeta, work: () => Promise<T>): Promise<T> {
  const attributes = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': meta.topic,
    'messaging.destination.partition.id': String(meta.partition),
    'messaging.kafka.offset': Number(meta.offset),
    'messaging.message.id': meta.id,
    'fleet.processor': processor,
    'cloudevents.event_type': meta.type,
  };
  return tracer.startActiveSpan(
    `process ${meta.type}`,
    { kind: SpanKind.CONSUMER, attributes },
    producerContext(meta),
    (span) => finish(span, work),
  );
}

/** One span for a batch handler call, linked to every event's producer span. */
export function inBatchSpan<T>(
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
  return tracer.startActiveSpan(
    `process ${type} ×${metas.length}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: { 'messaging.batch.message_count': metas.length, 'fleet.processor': processor },
    },
    (span) => finish(span, work),
  );
}

/** The W3C trace context to put on a follow-on event: the active span's, or else the cause's. */
export function currentTraceHeaders(fallback: EventMeta): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const traceparent = carrier.traceparent ?? fallback.traceparent;
  const tracestate = carrier.tracestate ?? fallback.headers.tracestate;
  return { ...(traceparent ? { traceparent } : {}), ...(tracestate ? { tracestate } : {}) };
}

async function finish<T>(span: ReturnType<typeof tracer.startSpan>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
