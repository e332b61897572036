import { Writable } from 'node:stream';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, withEventLogContext } from './logger.ts';

describe('log lines and traces join', () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
  });
  trace.setGlobalTracerProvider(provider);
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    return { lines, logger: createLogger({ service: 'svc', processor: 'svc' }, 'info', destination) };
  };

  it('every line inside a span carries trace_id and span_id next to the correlation ID', async () => {
    const { lines, logger } = capture();
    const event = {
      eventId: 'e-1',
      eventType: 't',
      topic: 'orders',
      partition: 0,
      offset: '7',
      correlationId: 'corr-1',
    };
    const spanContext = await trace.getTracer('test').startActiveSpan('process t', async (span) => {
      await withEventLogContext(event, async () => {
        await Promise.resolve();
        logger.info('inside');
      });
      span.end();
      return span.spanContext();
    });
    logger.info('outside');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({
      msg: 'inside',
      correlationId: 'corr-1',
      eventId: 'e-1',
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
    });
    expect(lines[1]).toMatchObject({ msg: 'outside' });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});
