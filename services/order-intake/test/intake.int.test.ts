import http from 'node:http';
import {
  EventCodec,
  envelopeFromHeaders,
  OrderCancelled,
  OrderPlaced,
  orderEvents,
  storableTextMessages,
} from '@fleet/contracts';
import { uniqueName } from '@fleet/testkit';
import { describe, expect, it } from 'vitest';
import { asA, asB, intakeHarness, schemaRegistryUrl } from './intake-harness.ts';
import { OpenApiContract } from './openapi-contract.ts';
import { validOrder } from './test-app.ts';

const harness = intakeHarness();
const { intake, post } = harness;
const recordsOf = (eventId: string, atLeast = 1) => harness.recordsOf(eventId, atLeast);
const codec = new EventCodec({ registryUrl: schemaRegistryUrl, events: orderEvents });

describe('order-intake on real Kafka, registry and Redis', () => {
  it('is ready once Kafka, the registry and Redis answer', async () => {
    const { url } = await intake();
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      checks: { kafka: { ok: true }, registry: { ok: true }, redis: { ok: true } },
    });
  });

  it('placing an order publishes a decodable OrderPlaced v2 with CloudEvents headers', async () => {
    const { url } = await intake();
    const res = await post(url, '/orders', validOrder, { 'x-correlation-id': 'checkout-int-1' });
    expect(res.status).toBe(202);
    const { orderId, eventId } = res.body as { orderId: string; eventId: string };
    const [record] = await recordsOf(eventId);
    expect(record?.key?.toString()).toBe(orderId);
    const env = envelopeFromHeaders(record?.headers);
    expect(env).toMatchObject({
      id: eventId,
      type: OrderPlaced.type,
      source: '/fleet/order-intake',
      specversion: '1.0',
      subject: orderId,
      correlationId: 'checkout-int-1',
      contentType: 'application/json',
    });
    expect(await codec.decode(record?.value as Buffer, OrderPlaced, { type: env.type })).toMatchObject({
      ...validOrder,
      orderId,
      totalCents: 3448,
      placedAt: expect.any(String),
    });
  });

  it('cancelling publishes OrderCancelled keyed by the order', async () => {
    const { url } = await intake();
    const orderId = crypto.randomUUID();
    const res = await post(url, `/orders/${orderId}/cancel`, { reason: 'Ordered by mistake' });
    expect(res.status).toBe(202);
    const [record] = await recordsOf(res.body.eventId as string);
    expect(record?.key?.toString()).toBe(orderId);
    expect(envelopeFromHeaders(record?.headers).type).toBe(OrderCancelled.type);
    expect(await codec.decode(record?.value as Buffer, OrderCancelled)).toMatchObject({
      orderId,
      reason: 'Ordered by mistake',
    });
  });

  it('the same Idempotency-Key on two replicas gives one event ID and one record; another body is 409', async () => {
    const a = await intake();
    const b = await intake();
    const key = { 'idempotency-key': crypto.randomUUID() };
    const first = await post(a.url, '/orders', validOrder, key);
    const second = await post(b.url, '/orders', validOrder, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await post(b.url, '/orders', { ...validOrder, currency: 'USD' }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    await recordsOf(first.body.eventId as string);
    // A marker published after both requests: once it is read, anything they produced has been read too.
    const marker = await post(a.url, '/orders', { ...validOrder, orderId: first.body.orderId });
    await recordsOf(marker.body.eventId as string);
    expect(harness.tail.withHeader('ce_id', first.body.eventId as string)).toHaveLength(1);
  });

  it('an invalid body is a 400 listing the fields, and nothing is published', async () => {
    const { url } = await intake();
    const customerId = uniqueName('invalid-customer');
    const orderId = crypto.randomUUID();
    const res = await post(url, '/orders', {
      orderId,
      customerId,
      lines: [{ sku: '', quantity: -1 }],
      currency: 'EUR',
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    expect(((res.body.error?.details ?? []) as { path: string }[]).map((i) => i.path).sort()).toEqual([
      'body.lines.0.quantity',
      'body.lines.0.sku',
      'body.lines.0.unitPrice',
    ]);
    // Same order ID, now valid: it must be the only record keyed by it.
    const ok = await post(url, '/orders', { ...validOrder, orderId });
    await recordsOf(ok.body.eventId as string);
    expect(harness.tail.messages.filter((m) => m.key?.toString() === orderId)).toHaveLength(1);
  });

  it('strings no downstream consumer can store are a 400 naming field and rule; nothing is published or reserved', async () => {
    const { url } = await intake();
    const orderId = crypto.randomUUID();
    const key = { 'idempotency-key': crypto.randomUUID() };
    const poisoned = await post(
      url,
      '/orders',
      {
        ...validOrder,
        orderId,
        customerId: '\u0000',
        lines: [{ sku: 'BOOK-\uD83D', quantity: 1, unitPrice: 1299 }],
      },
      key,
    );
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error?.code).toBe('VALIDATION_FAILED');
    expect(poisoned.body.error?.details).toEqual([
      { path: 'body.customerId', message: 'must not contain the NUL character (U+0000)' },
      { path: 'body.lines.0.sku', message: storableTextMessages.loneSurrogate(0xd83d) },
    ]);
    const cancel = await post(url, `/orders/${orderId}/cancel`, { reason: 'oops\u0000' });
    expect(cancel.status).toBe(400);
    expect(cancel.body.error?.details).toEqual([{ path: 'body.reason', message: storableTextMessages.nul }]);
    const control = await post(url, `/orders/${orderId}/cancel`, { reason: '\u001b[2Joops' });
    expect(control.body.error?.details).toEqual([
      { path: 'body.reason', message: storableTextMessages.control(0x1b) },
    ]);

    // The key was not taken by the refused request: the corrected one is accepted with it, not a 409.
    const ok = await post(url, '/orders', { ...validOrder, orderId }, key);
    expect(ok.status).toBe(202);
    await recordsOf(ok.body.eventId as string);
    // Read after the refused requests: the valid one is the only record keyed by the order.
    expect(harness.tail.messages.filter((m) => m.key?.toString() === orderId)).toHaveLength(1);
  });

  it('contract: real 202, 400, 409 and 429 responses match the served OpenAPI document', async () => {
    const { url } = await intake({ INTAKE_RATE_LIMIT_MAX: '4' });
    const doc = await (await fetch(`${url}/openapi.json`)).json();
    const contract = new OpenApiContract(doc);
    const client = asB;
    const key = { ...client, 'idempotency-key': crypto.randomUUID() };
    const orderId = crypto.randomUUID();
    const seen = [
      ['/orders', await post(url, '/orders', validOrder, key)],
      ['/orders', await post(url, '/orders', { ...validOrder, lines: [{}] }, client)],
      ['/orders', await post(url, '/orders', { ...validOrder, customerId: 'other' }, key)],
      ['/orders/{orderId}/cancel', await post(url, `/orders/${orderId}/cancel`, { reason: 'x' }, client)],
      ['/orders/{orderId}/cancel', await post(url, `/orders/${orderId}/cancel`, { reason: 'x' }, client)],
    ] as const;
    expect(seen.map(([, r]) => r.status)).toEqual([202, 400, 409, 202, 429]);
    for (const [path, r] of seen) expect(contract.check('POST', path, r.status, r.body)).toEqual([]);
  });

  it('stops gracefully: an in-flight request finishes and publishes, new connections are refused', async () => {
    const running = await intake();
    const body = JSON.stringify(validOrder);
    const received = new Promise((resolve) => running.app.server.once('request', resolve));
    // Headers now, body later: the request is in flight on the server when the stop begins.
    const request = http.request(`${running.url}/orders`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...asA,
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    await received;
    const stopping = running.stop();
    await new Promise((r) => setTimeout(r, 100));
    request.end(body.slice(10));
    const res = await answered;
    await stopping;
    expect(res.status).toBe(202);
    await recordsOf(JSON.parse(res.body).eventId);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});
