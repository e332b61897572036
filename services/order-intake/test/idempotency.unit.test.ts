import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeApp } from '../src/routes/route-context.ts';
import { uuidV5 } from '../src/uuid-v5.ts';
import type { RecordingPublisher } from './recording-publisher.ts';
import { asA, asB, clientA, testApp, validOrder } from './test-app.ts';

let app: IntakeApp;
let publisher: RecordingPublisher;

beforeAll(async () => {
  ({ app, publisher } = await testApp());
});
afterAll(() => app.close());

const placeOrder = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/orders', payload: body as object, headers: { ...asA, ...headers } });

describe('Idempotency-Key', () => {
  it('same key and body: same IDs, 202 again, published once', async () => {
    const key = crypto.randomUUID();
    const first = await placeOrder(validOrder, { 'idempotency-key': key });
    const count = publisher.published.length;
    // Same body with its keys in another order is the same request.
    const reordered = {
      currency: validOrder.currency,
      lines: validOrder.lines,
      customerId: validOrder.customerId,
    };
    const second = await placeOrder(reordered, { 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(publisher.published).toHaveLength(count);
  });

  it('derives the event and order IDs from the key and route (UUID v5)', async () => {
    const key = crypto.randomUUID();
    const res = await placeOrder(validOrder, { 'idempotency-key': key });
    const base = [`client:${clientA.id}`, 'POST /orders', key].join('\u0000');
    expect(res.json()).toEqual({
      eventId: uuidV5(`${base}\u0000eventId`),
      orderId: uuidV5(`${base}\u0000orderId`),
    });
  });

  it('same key, different body: 409 IDEMPOTENCY_KEY_REUSED and nothing published', async () => {
    const key = crypto.randomUUID();
    await placeOrder(validOrder, { 'idempotency-key': key });
    const count = publisher.published.length;
    const res = await placeOrder({ ...validOrder, currency: 'USD' }, { 'idempotency-key': key });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(publisher.published).toHaveLength(count);
  });

  it('keys are scoped per route', async () => {
    const key = crypto.randomUUID();
    const orderId = crypto.randomUUID();
    const placed = await placeOrder({ ...validOrder, orderId }, { 'idempotency-key': key });
    const cancelled = await app.inject({
      method: 'POST',
      url: `/orders/${orderId}/cancel`,
      payload: { reason: 'changed my mind' },
      headers: { ...asA, 'idempotency-key': key },
    });
    expect(cancelled.statusCode).toBe(202);
    expect(cancelled.json().eventId).not.toBe(placed.json().eventId);
  });

  it('keys are scoped per client: the same key from another client is another request', async () => {
    const key = { 'idempotency-key': crypto.randomUUID() };
    const a = await placeOrder(validOrder, key);
    const count = publisher.published.length;
    // Same key and body from B: not A's stored answer (A's order and event IDs) but B's own order.
    const b = await placeOrder(validOrder, { ...key, ...asB });
    expect(b.statusCode).toBe(202);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().orderId).not.toBe(a.json().orderId);
    expect(b.json().eventId).not.toBe(a.json().eventId);
    expect(publisher.published).toHaveLength(count + 1);
    // Another body from B under a key A used: no IDEMPOTENCY_KEY_REUSED, B never sees A's keys.
    const keyOfA = { 'idempotency-key': crypto.randomUUID() };
    await placeOrder(validOrder, keyOfA);
    expect((await placeOrder({ ...validOrder, currency: 'USD' }, { ...keyOfA, ...asB })).statusCode).toBe(
      202,
    );
    // A's records are untouched by B's requests.
    const replay = await placeOrder(validOrder, key);
    expect(replay.json()).toEqual(a.json());
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('a given orderId is kept; the event ID still follows the key', async () => {
    const orderId = crypto.randomUUID();
    const key = crypto.randomUUID();
    const res = await placeOrder({ ...validOrder, orderId }, { 'idempotency-key': key });
    expect(res.json().orderId).toBe(orderId);
  });

  it('without a key every request is new: random IDs, published each time', async () => {
    const count = publisher.published.length;
    const a = (await placeOrder(validOrder)).json();
    const b = (await placeOrder(validOrder)).json();
    expect(a.eventId).not.toBe(b.eventId);
    expect(a.orderId).not.toBe(b.orderId);
    expect(publisher.published).toHaveLength(count + 2);
  });

  it('a failed publish answers 503 and frees the key; the retry publishes with the same event ID', async () => {
    const key = crypto.randomUUID();
    publisher.failNext = new Error('broker unavailable');
    const failed = await placeOrder(validOrder, { 'idempotency-key': key });
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    const retried = await placeOrder(validOrder, { 'idempotency-key': key });
    expect(retried.statusCode).toBe(202);
    expect(publisher.published.at(-1)?.options?.id).toBe(retried.json().eventId);
  });
});
