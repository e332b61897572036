import { Writable } from 'node:stream';
import { errorResponseSchema } from '@fleet/service-kit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiKeyRegistry } from '../src/auth/api-key-registry.ts';
import { asA, testApp, validOrder } from './test-app.ts';

const secret = 'ECONNRESET reading the key store at 10.4.4.4 (token sk_live_abc)';

/** A key registry that breaks the way a dependency does: what the client must not see. */
class BrokenRegistry extends ApiKeyRegistry {
  override verify(): never {
    throw new Error(secret);
  }
}

describe('order-intake answers every error in the fleet shape', () => {
  it("documents its own error codes when another service's error schema is loaded in the same process", async () => {
    // What an all-in-one test run does: another service's schema registered after the intake's.
    errorResponseSchema(['NOT_FOUND'], 'OtherServiceError');
    const { app } = await testApp();
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const error = doc.components.schemas.OrderIntakeError;
    expect(error.properties.error.properties.code.enum).toContain('FORBIDDEN');
    expect(JSON.stringify(doc.paths)).toContain('#/components/schemas/OrderIntakeError');
  });

  it('an unknown route: 404 NOT_FOUND', async () => {
    const { app } = await testApp();
    const res = await app.inject({ method: 'GET', url: '/orderz' });
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route GET /orderz.' } },
    ]);
  });

  it('a request that fails its schema: 400 VALIDATION_FAILED with every failing field as details', async () => {
    const { app, publisher } = await testApp();
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: asA,
      payload: { ...validOrder, lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] },
    });
    expect([res.statusCode, res.json()]).toEqual([
      400,
      {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'invalid body: lines.0.quantity: Too small: expected number to be >0',
          details: [{ path: 'body.lines.0.quantity', message: 'Too small: expected number to be >0' }],
        },
      },
    ]);
    expect(publisher.published).toEqual([]);
  });

  it('an unexpected error: 500 "internal error", logged with the correlation ID, counted, never sent', async () => {
    const lines: { msg: string; correlationId?: string; err?: { message: string } }[] = [];
    const logger = pino(
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const { app, publisher } = await testApp({
      logger,
      apiKeys: new BrokenRegistry([], { max: 1, windowMs: 1 }),
    });
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...asA, 'x-correlation-id': 'corr-500' },
      payload: validOrder,
    });
    expect([res.statusCode, res.json()]).toEqual([
      500,
      { error: { code: 'INTERNAL', message: 'internal error' } },
    ]);
    expect(res.body).not.toMatch(/ECONNRESET|10\.4\.4\.4|sk_live/);
    expect(lines.filter((l) => l.msg === 'request failed')).toMatchObject([
      { correlationId: 'corr-500', err: { message: secret } },
    ]);
    expect(publisher.published).toEqual([]);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/intake_requests_rejected_total\{code="INTERNAL"\} 1/);
  });
});
