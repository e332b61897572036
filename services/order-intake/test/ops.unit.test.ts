import { describe, expect, it } from 'vitest';
import { OpenApiContract } from './openapi-contract.ts';
import { asA, testApp, testKeys, validOrder } from './test-app.ts';

describe('ops endpoints', () => {
  it('/healthz, /readyz with named checks, /metrics in Prometheus text', async () => {
    let redisUp = true;
    const { app } = await testApp({
      readinessChecks: {
        kafka: async () => {},
        redis: async () => {
          if (!redisUp) throw new Error('connection refused');
        },
      },
    });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    redisUp = false;
    const notReady = await app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks.redis).toEqual({ ok: false, detail: 'connection refused' });
    await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers: asA });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/intake_events_published_total\{type="fleet.orders.OrderPlaced.v2"\} 1/);
    expect(metrics.body).toMatch(
      /intake_http_requests_total\{route="\/orders",method="POST",status="202"\} 1/,
    );
    await app.close();
  });

  it('ops endpoints are outside the rate limit', async () => {
    const { app } = await testApp({
      apiKeys: testKeys({ max: 1, windowMs: 60_000 }),
      ipRateLimit: { max: 1, windowMs: 60_000 },
    });
    for (const url of ['/healthz', '/healthz', '/readyz', '/metrics', '/openapi.json'])
      expect((await app.inject({ url })).statusCode).toBe(200);
    await app.close();
  });
});

describe('OpenAPI document (in process)', () => {
  it('documents both commands, and their real responses match it', async () => {
    const { app } = await testApp({ apiKeys: testKeys({ max: 5, windowMs: 60_000 }) });
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/orders', '/orders/{orderId}/cancel']);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    expect(doc.paths['/orders'].post.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.paths['/orders/{orderId}/cancel'].post.responses)).toEqual(
      expect.arrayContaining(['401', '403', '429']),
    );
    const contract = new OpenApiContract(doc);
    const key = { ...asA, 'idempotency-key': crypto.randomUUID() };
    const responses = [
      await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers: key }),
      await app.inject({ method: 'POST', url: '/orders', payload: { lines: 'x' }, headers: asA }),
      await app.inject({
        method: 'POST',
        url: '/orders',
        payload: { ...validOrder, currency: 'USD' },
        headers: key,
      }),
      await app.inject({
        method: 'POST',
        url: '/orders',
        payload: 'x',
        headers: { ...asA, 'content-type': 'text/plain' },
      }),
      await app.inject({ method: 'POST', url: '/orders', payload: validOrder }),
      await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers: asA }),
      await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers: asA }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([202, 400, 409, 415, 401, 202, 429]);
    for (const r of responses) expect(contract.check('POST', '/orders', r.statusCode, r.json())).toEqual([]);
    // The checker does catch a mismatch.
    expect(contract.check('POST', '/orders', 202, { orderId: 'x' })).not.toEqual([]);
    expect(contract.check('POST', '/orders', 418, {})).toEqual(['POST /orders does not declare status 418']);
    await app.close();
  });
});
