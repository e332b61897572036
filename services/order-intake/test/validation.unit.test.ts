import { storableTextMessages } from '@fleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeApp } from '../src/routes/route-context.ts';
import type { RecordingPublisher } from './recording-publisher.ts';
import { asA, testApp, validOrder } from './test-app.ts';

let app: IntakeApp;
let publisher: RecordingPublisher;

beforeAll(async () => {
  ({ app, publisher } = await testApp({ bodyLimit: 2048 }));
});
afterAll(() => app.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as string, headers: { ...asA, ...headers } });

describe('POST /orders validation', () => {
  it('accepts a valid order and publishes OrderPlaced v2 with the computed total', async () => {
    const before = publisher.published.length;
    const res = await post('/orders', validOrder);
    expect(res.statusCode).toBe(202);
    const { orderId, eventId } = res.json();
    const event = publisher.published[before];
    expect(event).toMatchObject({
      type: 'fleet.orders.OrderPlaced.v2',
      data: { ...validOrder, orderId, totalCents: 3448 },
      options: { id: eventId },
    });
  });

  it('lists every failing field with its path and reason, and publishes nothing', async () => {
    const before = publisher.published.length;
    const res = await post('/orders', {
      customerId: '',
      lines: [{ sku: 'A', quantity: 0, unitPrice: 1.5, colour: 'red' }],
      currency: 'eur',
      orderID: 'typo',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const byPath = Object.fromEntries(
      body.error.details.map((i: { path: string; message: string }) => [i.path, i.message]),
    );
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'body.currency',
        'body.customerId',
        'body.lines.0.colour',
        'body.lines.0.quantity',
        'body.lines.0.unitPrice',
        'body.orderID',
      ].sort(),
    );
    expect(byPath['body.lines.0.quantity']).toMatch(/>0/);
    expect(byPath['body.lines.0.unitPrice']).toMatch(/int/);
    expect(byPath['body.orderID']).toBe('unknown field');
    expect(publisher.published).toHaveLength(before);
  });

  it('names missing fields and an empty line list', async () => {
    const res = await post('/orders', { lines: [] });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.customerId', 'body.lines', 'body.currency']));
  });

  it('refuses an order whose total overflows', async () => {
    const res = await post('/orders', {
      ...validOrder,
      lines: [{ sku: 'A', quantity: 2 ** 40, unitPrice: 2 ** 20 }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'body.lines', message: expect.stringMatching(/total/) },
    ]);
  });

  it('refuses a body that is not an object, or missing', async () => {
    const array = await post('/orders', [1, 2]);
    expect(array.statusCode).toBe(400);
    expect(array.json().error.details[0].path).toBe('body');
    const none = await app.inject({ method: 'POST', url: '/orders', headers: asA });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers 400 INVALID_JSON for malformed JSON', async () => {
    const res = await post('/orders', '{"customerId":', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await post('/orders', 'customerId=1', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await post('/orders', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.statusCode).toBe(415);
  });

  it('answers 413 over the body limit', async () => {
    const res = await post('/orders', { ...validOrder, customerId: 'x'.repeat(4096) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('validates the Idempotency-Key and X-Correlation-Id headers', async () => {
    const res = await post('/orders', validOrder, {
      'idempotency-key': 'x'.repeat(300),
      'x-correlation-id': 'has space',
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.details.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['headers.idempotency-key', 'headers.x-correlation-id']);
  });

  it('carries the caller’s correlation ID onto the event and the response', async () => {
    const res = await post('/orders', validOrder, { 'x-correlation-id': 'checkout-42' });
    expect(res.statusCode).toBe(202);
    expect(res.headers['x-correlation-id']).toBe('checkout-42');
    expect(publisher.published.at(-1)?.options?.correlationId).toBe('checkout-42');
  });
});

describe('POST /orders/:orderId/cancel validation', () => {
  it('publishes OrderCancelled for a valid request', async () => {
    const orderId = crypto.randomUUID();
    const res = await post(`/orders/${orderId}/cancel`, { reason: 'Ordered by mistake' });
    expect(res.statusCode).toBe(202);
    expect(publisher.published.at(-1)).toMatchObject({
      type: 'fleet.orders.OrderCancelled.v1',
      data: { orderId, reason: 'Ordered by mistake' },
      options: { id: res.json().eventId },
    });
  });

  it('names a bad order ID and a missing reason', async () => {
    const res = await post('/orders/not-a-uuid/cancel', {});
    expect(res.statusCode).toBe(400);
    // Fastify validates params before the body and stops at the first failing part.
    expect(res.json().error.details).toEqual([{ path: 'params.orderId', message: 'Invalid UUID' }]);
    const noReason = await post(`/orders/${crypto.randomUUID()}/cancel`, { reason: '   ' });
    expect(noReason.json().error.details).toEqual([
      { path: 'body.reason', message: expect.stringMatching(/>=1/) },
    ]);
  });
});

describe('strings no downstream consumer can store', () => {
  const issuesOf = (res: { json(): { error: { details?: { path: string; message: string }[] } } }) =>
    [...(res.json().error.details ?? [])].sort((a, b) => a.path.localeCompare(b.path));

  it('a NUL customerId and a sku with a lone surrogate are a 400 naming each field and rule; nothing is published', async () => {
    const before = publisher.published.length;
    const res = await post('/orders', {
      ...validOrder,
      customerId: '\u0000',
      lines: [
        { sku: 'BOOK-\uD83D', quantity: 1, unitPrice: 100 },
        { sku: '\uDE00MUG', quantity: 1, unitPrice: 100 },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(issuesOf(res)).toEqual([
      { path: 'body.customerId', message: 'must not contain the NUL character (U+0000)' },
      { path: 'body.lines.0.sku', message: storableTextMessages.loneSurrogate(0xd83d) },
      { path: 'body.lines.1.sku', message: storableTextMessages.loneSurrogate(0xde00) },
    ]);
    expect(publisher.published).toHaveLength(before);
  });

  it('control characters other than tab, LF and CR are a 400 too', async () => {
    const before = publisher.published.length;
    const res = await post('/orders', { ...validOrder, customerId: 'cust\u001b[2J' });
    expect(issuesOf(res)).toEqual([{ path: 'body.customerId', message: storableTextMessages.control(0x1b) }]);
    const c1 = await post('/orders', { ...validOrder, customerId: 'cust\u0085' });
    expect(issuesOf(c1)).toEqual([{ path: 'body.customerId', message: storableTextMessages.control(0x85) }]);
    expect(publisher.published).toHaveLength(before);
  });

  it('the raw JSON escapes reach the same rule (what a non-JS client sends)', async () => {
    const res = await post(
      '/orders',
      '{"customerId":"a\\u0000b","currency":"EUR","lines":[{"sku":"\\ud800","quantity":1,"unitPrice":1}]}',
      { 'content-type': 'application/json' },
    );
    expect(issuesOf(res)).toEqual([
      { path: 'body.customerId', message: storableTextMessages.nul },
      { path: 'body.lines.0.sku', message: storableTextMessages.loneSurrogate(0xd800) },
    ]);
  });

  it('emoji (surrogate pairs), tab and newline are accepted and published as sent', async () => {
    const order = {
      ...validOrder,
      customerId: 'cust-🛒-1042',
      lines: [{ sku: 'MUG-☕-🎁', quantity: 1, unitPrice: 100 }],
    };
    const res = await post('/orders', order);
    expect(res.statusCode).toBe(202);
    expect(publisher.published.at(-1)?.data).toMatchObject(order);
    const orderId = crypto.randomUUID();
    const cancel = await post(`/orders/${orderId}/cancel`, { reason: 'line 1\n\tline 2 🙃' });
    expect(cancel.statusCode).toBe(202);
    expect(publisher.published.at(-1)?.data).toMatchObject({ orderId, reason: 'line 1\n\tline 2 🙃' });
  });

  it('a cancel reason with NUL or a lone surrogate is a 400 naming body.reason; nothing is published', async () => {
    const before = publisher.published.length;
    const orderId = crypto.randomUUID();
    const nul = await post(`/orders/${orderId}/cancel`, { reason: 'mistake\u0000' });
    expect(nul.statusCode).toBe(400);
    expect(issuesOf(nul)).toEqual([{ path: 'body.reason', message: storableTextMessages.nul }]);
    const lone = await post(`/orders/${orderId}/cancel`, { reason: '\uDBFF' });
    expect(issuesOf(lone)).toEqual([
      { path: 'body.reason', message: storableTextMessages.loneSurrogate(0xdbff) },
    ]);
    expect(publisher.published).toHaveLength(before);
  });

  it('the path parameter and the headers copied into the event refuse them by their own formats', async () => {
    const before = publisher.published.length;
    const param = await post('/orders/%00/cancel', { reason: 'x' });
    expect(param.statusCode).toBe(400);
    expect(issuesOf(param)).toEqual([{ path: 'params.orderId', message: 'Invalid UUID' }]);
    const afterUuid = await post(`/orders/${crypto.randomUUID()}%00/cancel`, { reason: 'x' });
    expect(issuesOf(afterUuid)).toEqual([{ path: 'params.orderId', message: 'Invalid UUID' }]);
    const headers = await post('/orders', validOrder, {
      'idempotency-key': 'key\u0001',
      'x-correlation-id': 'corr\u001b',
    });
    expect(headers.statusCode).toBe(400);
    expect(issuesOf(headers).map((i) => i.path)).toEqual([
      'headers.idempotency-key',
      'headers.x-correlation-id',
    ]);
    expect(publisher.published).toHaveLength(before);
  });
});

describe('unknown routes', () => {
  it('answer 404 in the error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
