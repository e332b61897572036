import { describe, expect, it } from 'vitest';
import { EnvelopeError } from './contract-errors.ts';
import {
  envelopeFromHeaders,
  envelopeToHeaders,
  MAX_ENVELOPE_ATTRIBUTE_LENGTH,
  newEnvelope,
} from './envelope.ts';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('envelope', () => {
  it('round-trips through Kafka headers (as Buffers, like a consumer sees them)', () => {
    const env = newEnvelope({
      type: 'fleet.orders.OrderPlaced.v2',
      source: '/shop',
      subject: 'o-1',
      causationId: 'c-1',
    });
    expect(env.correlationId).toBe(env.id);
    expect(env.specversion).toBe('1.0');
    const headers = envelopeToHeaders({ ...env, traceparent: traceparent });
    expect(headers).toMatchObject({
      ce_id: env.id,
      ce_source: '/shop',
      ce_type: 'fleet.orders.OrderPlaced.v2',
      ce_specversion: '1.0',
      ce_time: env.time,
      ce_subject: 'o-1',
      'content-type': 'application/json',
      ce_correlationid: env.id,
      ce_causationid: 'c-1',
      traceparent: traceparent,
    });
    expect(headers).not.toHaveProperty('tracestate');
    const asBuffers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(envelopeFromHeaders(asBuffers)).toEqual({ ...env, traceparent: traceparent });
  });

  it('reads the first value of a repeated header', () => {
    const env = newEnvelope({ type: 't', source: 's' });
    const headers = { ...envelopeToHeaders(env), ce_type: [Buffer.from('first'), 'second'] };
    expect(envelopeFromHeaders(headers).type).toBe('first');
  });

  it('lists every missing or malformed header at once', () => {
    try {
      envelopeFromHeaders({ ce_id: '', ce_specversion: '0.3', ce_time: 'yesterday', ce_source: 's' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvelopeError);
      const e = error as EnvelopeError;
      expect(e.code).toBe('ENVELOPE_INVALID');
      expect(e.problems).toEqual([
        'ce_id is empty',
        'ce_type is missing',
        'ce_specversion is "0.3", must be exactly "1.0"',
        'ce_time "yesterday" is not an RFC 3339 timestamp',
      ]);
      expect(e.message).toContain('ce_type is missing');
    }
    expect(() => envelopeFromHeaders(undefined)).toThrow(/ce_id is missing/);
  });

  it('refuses ids and correlation attributes that no consumer can store', () => {
    const valid = envelopeToHeaders(newEnvelope({ type: 't', source: 's' }));
    const problemsOf = (headers: Record<string, string>) => {
      try {
        envelopeFromHeaders(headers);
        return [];
      } catch (error) {
        return [...(error as EnvelopeError).problems];
      }
    };
    expect(problemsOf({ ...valid, ce_id: 'a\u0000b' })).toEqual([
      'ce_id must not contain the NUL character (U+0000)',
    ]);
    expect(problemsOf({ ...valid, ce_id: 'x'.repeat(8000) })).toEqual([
      `ce_id is 8000 characters long, at most ${MAX_ENVELOPE_ATTRIBUTE_LENGTH} allowed`,
    ]);
    expect(problemsOf({ ...valid, ce_correlationid: 'c\ud800' })[0]).toContain('U+D800');
    expect(problemsOf({ ...valid, ce_causationid: '\udc00c' })[0]).toContain('U+DC00');
    expect(problemsOf({ ...valid, ce_subject: 'esc\u001b[2J' })[0]).toContain(
      'ce_subject must not contain the control character U+001B',
    );
    expect(problemsOf({ ...valid, ce_source: 'del\u007f' })[0]).toContain('U+007F');
    // A surrogate pair (an emoji) is an ordinary character.
    expect(problemsOf({ ...valid, ce_id: 'order-\u{1F600}', ce_subject: 'ü' })).toEqual([]);
    // A hostile value is not echoed whole into the error.
    expect(problemsOf({ ...valid, ce_time: 'y'.repeat(100_000) })[0]?.length).toBeLessThan(200);
  });

  it('ignores a malformed trace context instead of refusing the event (W3C Trace Context)', () => {
    const valid = envelopeToHeaders(newEnvelope({ type: 't', source: 's' }));
    expect(envelopeFromHeaders({ ...valid, traceparent: '00-\u0000', tracestate: 'a=b' })).not.toHaveProperty(
      'traceparent',
    );
    expect(envelopeFromHeaders({ ...valid, traceparent: '00-\u0000', tracestate: 'a=b' })).not.toHaveProperty(
      'tracestate',
    );
    const kept = envelopeFromHeaders({ ...valid, traceparent, tracestate: 'a=b' });
    expect(kept).toMatchObject({ traceparent, tracestate: 'a=b' });
    expect(envelopeFromHeaders({ ...valid, traceparent, tracestate: 'a=\u0000' })).not.toHaveProperty(
      'tracestate',
    );
  });
});
