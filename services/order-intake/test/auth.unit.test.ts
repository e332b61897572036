import { describe, expect, it } from 'vitest';
import { capturedLogger } from './log-capture.ts';
import { OpenApiContract } from './openapi-contract.ts';
import { asA, clientA, clientA2, clientB, testApp, validOrder } from './test-app.ts';

const order = (headers: Record<string, string>) =>
  ({ method: 'POST', url: '/orders', payload: validOrder, headers }) as const;

describe('API keys', () => {
  it('a missing or unknown key is a 401 in the error shape, before anything is published', async () => {
    const { app, publisher } = await testApp();
    const contract = new OpenApiContract((await app.inject({ url: '/openapi.json' })).json());
    const missing = await app.inject(order({}));
    const unknown = await app.inject(order({ 'x-api-key': 'oik_made-up' }));
    const empty = await app.inject(order({ 'x-api-key': '' }));
    for (const res of [missing, unknown, empty]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({
        error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/x-api-key/) },
      });
      expect(contract.check('POST', '/orders', 401, res.json())).toEqual([]);
    }
    const cancel = await app.inject({
      method: 'POST',
      url: `/orders/${crypto.randomUUID()}/cancel`,
      payload: { reason: 'x' },
      headers: { 'x-api-key': clientA.key.toUpperCase() },
    });
    expect(cancel.statusCode).toBe(401);
    expect(publisher.published).toHaveLength(0);
    expect((await app.inject(order(asA))).statusCode).toBe(202);
    await app.close();
  });

  it('every issued key identifies its client; a rotated key is the same client', async () => {
    const { app, publisher } = await testApp();
    for (const c of [clientA, clientA2, clientB])
      expect((await app.inject(order({ 'x-api-key': c.key }))).statusCode).toBe(202);
    expect(publisher.published.map((p) => p.options?.headers?.['intake-client-id'])).toEqual([
      'client-a',
      'client-a',
      'client-b',
    ]);
    await app.close();
  });

  it('failed authentications are logged without the key and counted by reason in /metrics', async () => {
    const { logger, text, entries } = capturedLogger();
    const { app } = await testApp({ logger });
    const guessed = 'oik_guessed-key-9f8e7d6c5b4a';
    await app.inject(order({ 'x-api-key': guessed }));
    await app.inject(order({ 'x-api-key': `${guessed}-2` }));
    await app.inject(order({}));
    const failures = entries().filter((e) => e.msg === 'authentication failed');
    expect(failures.map((e) => e.reason)).toEqual(['unknown', 'unknown', 'missing']);
    expect(failures[0]).toMatchObject({ level: 40, ip: '127.0.0.1', header: 'x-api-key' });
    expect(text()).not.toContain('guessed-key');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/intake_auth_failures_total\{reason="unknown"\} 2/);
    expect(metrics).toMatch(/intake_auth_failures_total\{reason="missing"\} 1/);
    expect(metrics).toMatch(/intake_requests_rejected_total\{code="UNAUTHORIZED"\} 3/);
    await app.close();
  });

  it('reads the key from INTAKE_API_KEY_HEADER when it is renamed', async () => {
    const { app } = await testApp({ apiKeyHeader: 'x-intake-key' });
    expect((await app.inject(order(asA))).statusCode).toBe(401);
    expect((await app.inject(order({ 'x-intake-key': clientA.key }))).statusCode).toBe(202);
    await app.close();
  });

  it('ops routes and unknown routes need no key', async () => {
    const { app } = await testApp();
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json'])
      expect((await app.inject({ url })).statusCode).toBe(200);
    expect((await app.inject({ url: '/nope' })).statusCode).toBe(404);
    await app.close();
  });
});
