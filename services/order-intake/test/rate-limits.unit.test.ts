import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/api-key.ts';
import { ApiKeyRegistry } from '../src/auth/api-key-registry.ts';
import { asA, asB, clientA2, testApp, testKeys, validOrder } from './test-app.ts';

const invalid = {}; // counted like any request, publishes nothing

describe('per-client limits', () => {
  it('count the verified client: changing the key header buys no new budget', async () => {
    const { app } = await testApp({ apiKeys: testKeys({ max: 2, windowMs: 60_000 }) });
    const post = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/orders', payload: invalid, headers });
    expect((await post(asA)).statusCode).toBe(400);
    expect((await post(asA)).statusCode).toBe(400);
    const limited = await post(asA);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
    // Another value of the header is not another client: an unknown key is refused, not counted afresh.
    for (let i = 0; i < 3; i++)
      expect((await post({ 'x-api-key': `oik_evasion-${i}` })).statusCode).toBe(401);
    // A's second key is the same client, with the same (spent) budget.
    expect((await post({ 'x-api-key': clientA2.key })).statusCode).toBe(429);
    // B has a budget of its own.
    expect((await post(asB)).statusCode).toBe(400);
    await app.close();
  });

  it('a key entry may carry its own limit', async () => {
    const apiKeys = new ApiKeyRegistry(
      [
        { clientId: 'small', hash: hashApiKey('k-small'), limit: { max: 1, windowMs: 60_000 } },
        { clientId: 'large', hash: hashApiKey('k-large') },
      ],
      { max: 3, windowMs: 60_000 },
    );
    const { app } = await testApp({ apiKeys });
    const statuses = async (key: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++)
        out.push(
          (
            await app.inject({
              method: 'POST',
              url: '/orders',
              payload: invalid,
              headers: { 'x-api-key': key },
            })
          ).statusCode,
        );
      return out;
    };
    expect(await statuses('k-small', 2)).toEqual([400, 429]);
    expect(await statuses('k-large', 4)).toEqual([400, 400, 400, 429]);
    await app.close();
  });
});

describe('per-address floor', () => {
  it('one address gets at most N requests per window whatever keys it sends, valid or not', async () => {
    const { app } = await testApp({ ipRateLimit: { max: 3, windowMs: 60_000 } });
    const from = (remoteAddress: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers, remoteAddress });
    expect((await from('198.51.100.7', asA)).statusCode).toBe(202);
    expect((await from('198.51.100.7', asB)).statusCode).toBe(202);
    expect((await from('198.51.100.7', { 'x-api-key': 'oik_guess' })).statusCode).toBe(401);
    const floor = await from('198.51.100.7', asB);
    expect(floor.statusCode).toBe(429);
    expect(floor.json().error.message).toMatch(/from one address/);
    // Another address is not affected; an IPv6 host cannot step around it inside its /64.
    expect((await from('198.51.100.8', asA)).statusCode).toBe(202);
    for (let i = 1; i <= 3; i++) expect((await from(`2001:db8:0:1::${i}`, asA)).statusCode).toBe(202);
    expect((await from('2001:db8:0:1:ffff::9', asA)).statusCode).toBe(429);
    await app.close();
  });
});

describe('trusted proxies', () => {
  const spoofing = async (trustProxy: string[] | undefined) => {
    const { app } = await testApp({
      ipRateLimit: { max: 2, windowMs: 60_000 },
      ...(trustProxy ? { trustProxy } : {}),
    });
    const statuses: number[] = [];
    // One client behind one address, forging a new X-Forwarded-For on every request.
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await app.inject({
            method: 'POST',
            url: '/orders',
            payload: validOrder,
            headers: { ...asA, 'x-forwarded-for': `203.0.113.${i}` },
            remoteAddress: '192.0.2.50',
          })
        ).statusCode,
      );
    await app.close();
    return statuses;
  };

  it('a forged X-Forwarded-For from an address that is not a listed proxy is ignored', async () => {
    expect(await spoofing(undefined)).toEqual([202, 202, 429, 429]);
    expect(await spoofing(['10.0.0.0/8'])).toEqual([202, 202, 429, 429]);
  });

  it('behind a listed proxy the client is the nearest address the proxy saw, not what the client wrote', async () => {
    const { app } = await testApp({ ipRateLimit: { max: 2, windowMs: 60_000 }, trustProxy: ['10.0.0.0/8'] });
    const via = (forwardedFor: string) =>
      app.inject({
        method: 'POST',
        url: '/orders',
        payload: validOrder,
        headers: { ...asA, 'x-forwarded-for': forwardedFor },
        remoteAddress: '10.1.2.3',
      });
    // The client prepends a new fake hop each time; the proxy appends the address it really saw.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await via(`203.0.113.${i}, 198.51.100.20`)).statusCode);
    expect(statuses).toEqual([202, 202, 429]);
    expect((await via('198.51.100.21')).statusCode).toBe(202);
    await app.close();
  });
});
