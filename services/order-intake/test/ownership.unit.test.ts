import { describe, expect, it } from 'vitest';
import { MemoryOrderOwners } from '../src/orders/order-owners.ts';
import { OpenApiContract } from './openapi-contract.ts';
import { asA, asB, testApp, validOrder } from './test-app.ts';

describe('order ownership', () => {
  it('only the client that placed an order may cancel it', async () => {
    const { app, publisher } = await testApp();
    const contract = new OpenApiContract((await app.inject({ url: '/openapi.json' })).json());
    const cancel = (orderId: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: `/orders/${orderId}/cancel`, payload: { reason: 'x' }, headers });
    const { orderId } = (
      await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers: asA })
    ).json();
    const before = publisher.published.length;
    const foreign = await cancel(orderId, asB);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/another client/) },
    });
    expect(contract.check('POST', '/orders/{orderId}/cancel', 403, foreign.json())).toEqual([]);
    // Under an Idempotency-Key too, and the refusal does not hold the key.
    const key = { 'idempotency-key': crypto.randomUUID() };
    expect((await cancel(orderId, { ...asB, ...key })).statusCode).toBe(403);
    expect(publisher.published).toHaveLength(before);
    expect((await cancel(orderId, { ...asA, ...key })).statusCode).toBe(202);
    expect(publisher.published.at(-1)).toMatchObject({
      type: 'fleet.orders.OrderCancelled.v1',
      data: { orderId },
    });
    await app.close();
  });

  it('an order ID chosen by one client cannot be placed by another', async () => {
    const { app, publisher } = await testApp();
    const orderId = crypto.randomUUID();
    const place = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/orders', payload: { ...validOrder, orderId }, headers });
    expect((await place(asA)).statusCode).toBe(202);
    const before = publisher.published.length;
    const taken = await place(asB);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: 'ORDER_ID_TAKEN' } });
    expect(publisher.published).toHaveLength(before);
    // The owner may send it again (a retry without Idempotency-Key publishes again, same order).
    expect((await place(asA)).statusCode).toBe(202);
    await app.close();
  });

  it('a cancel that overtakes its order claims the order for its client', async () => {
    const { app } = await testApp();
    const orderId = crypto.randomUUID();
    const cancel = await app.inject({
      method: 'POST',
      url: `/orders/${orderId}/cancel`,
      payload: { reason: 'cancelled before the order arrived' },
      headers: asA,
    });
    expect(cancel.statusCode).toBe(202);
    const place = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/orders', payload: { ...validOrder, orderId }, headers });
    expect((await place(asB)).statusCode).toBe(409);
    expect((await place(asA)).statusCode).toBe(202);
    await app.close();
  });

  it('when the ownership store fails nothing is published: 503, and the Idempotency-Key is free again', async () => {
    let down = true;
    const memory = new MemoryOrderOwners({ ttlMs: 60_000, maxEntries: 10 });
    const { app, publisher } = await testApp({
      orderOwners: {
        claim: async (orderId, clientId) => {
          if (down) throw new Error('redis down');
          return memory.claim(orderId, clientId);
        },
      },
    });
    const headers = { ...asA, 'idempotency-key': crypto.randomUUID() };
    const failed = await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers });
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({
      error: { code: 'UNAVAILABLE', details: { retryAfterSeconds: 1 } },
    });
    expect(publisher.published).toHaveLength(0);
    down = false;
    expect(
      (await app.inject({ method: 'POST', url: '/orders', payload: validOrder, headers })).statusCode,
    ).toBe(202);
    await app.close();
  });
});
