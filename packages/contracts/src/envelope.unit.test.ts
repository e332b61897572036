import { describe, expect, it } from 'vitest';
import { EnvelopeError } from './contract-errors.ts';
import { envelopeFromHeaders, envelopeToHeaders, newEnvelope } from './envelope.ts';

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
    const headers = envelopeToHeaders({ ...env, traceparent: '00-abc-def-01' });
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
      traceparent: '00-abc-def-01',
    });
    expect(headers).not.toHaveProperty('tracestate');
    const asBuffers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(envelopeFromHeaders(asBuffers)).toEqual({ ...env, traceparent: '00-abc-def-01' });
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
});
