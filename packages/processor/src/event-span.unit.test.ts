import { describe, expect, it } from 'vitest';
import type { EventMeta } from './event-meta.ts';
import { currentTraceHeaders, inBatchSpan, inEventSpan, startSendSpans } from './event-span.ts';

// Tracing off (no SDK started): no span is recorded, and the trace context a record came with is
// carried on unchanged, so a flow's trace continues through a processor that does not trace.
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const meta: EventMeta = {
  id: 'e-1',
  type: 'fleet.orders.OrderPlaced.v2',
  source: '/test',
  subject: undefined,
  time: new Date(0).toISOString(),
  key: 'k',
  topic: 'orders',
  partition: 0,
  offset: '1',
  timestamp: '0',
  correlationId: 'c-1',
  causationId: undefined,
  traceparent,
  headers: { traceparent, tracestate: 'v=1' },
};

describe('trace context with tracing off', () => {
  it('follow-ons carry the cause’s own traceparent and tracestate', async () => {
    expect(currentTraceHeaders(meta)).toEqual({ traceparent, tracestate: 'v=1' });
    await inEventSpan('p', meta, async () => {
      expect(currentTraceHeaders(meta)).toEqual({ traceparent, tracestate: 'v=1' });
    });
    await inBatchSpan('p', meta.type, [meta], async () => {
      expect(currentTraceHeaders(meta)).toEqual({ traceparent, tracestate: 'v=1' });
    });
    expect(currentTraceHeaders({ ...meta, traceparent: undefined, headers: {} })).toEqual({});
  });

  it('the outbox relay sends a row’s headers as they are', () => {
    const headers = { ce_id: 'f-1', traceparent, tracestate: 'v=1' };
    const sends = startSendSpans([{ topic: 'inventory', key: 'k', eventId: 'f-1', headers }], {});
    expect(sends.headers).toEqual([headers]);
    sends.end();
  });

  it('a failing handler’s error goes through unchanged', async () => {
    await expect(
      inEventSpan('p', meta, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
