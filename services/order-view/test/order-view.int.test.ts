import { randomUUID } from 'node:crypto';
import { applyTopicPlan, planTopics } from '@fleet/contracts';
import {
  inventoryTopic,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  orderEvents,
  ordersTopic,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  paymentsTopic,
  ReleaseStock,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { connectTestProducer, startServiceRuntime } from '@fleet/order-testkit';
import type { ProcessorRuntime } from '@fleet/processor';
import { batchItem, type FleetProducer } from '@fleet/producer';
import { createTestDatabase, type TestDatabase, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderView } from '../src/processor.ts';
import type { ViewDb } from '../src/view-db.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

describe('order-view on real Kafka, registry and Postgres', () => {
  let database: TestDatabase;
  let producer: FleetProducer;
  let runtime: ProcessorRuntime<ViewDb>;
  let base: string;
  const customerId = uniqueName('cust').slice(0, 60);

  beforeAll(async () => {
    const admin = testKafka('order-view-test').admin();
    await admin.connect();
    await applyTopicPlan(admin, await planTopics(admin, [ordersTopic, inventoryTopic, paymentsTopic]));
    await admin.disconnect();
    database = await createTestDatabase('order_view');
    producer = await connectTestProducer('/test/order-view', orderEvents);
    runtime = await startServiceRuntime(orderView, { databaseUrl: database.url });
    base = runtime.httpAddress ?? '';
  });
  afterAll(async () => {
    await runtime?.stop();
    await producer?.disconnect();
    await database?.drop();
  });

  const placed = (orderId: string, minute: number) => ({
    orderId,
    customerId,
    lines: [
      { sku: 'BOOK-0451', quantity: 2, unitPrice: 1299 },
      { sku: 'MUG-0007', quantity: 1, unitPrice: 850 },
    ],
    totalCents: 3448,
    currency: 'EUR',
    placedAt: `2026-03-14T09:${String(minute).padStart(2, '0')}:00.000Z`,
  });
  const at = (minute: number, second: number) =>
    `2026-03-14T09:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;

  /**
   * The timeline types of the events this test sent, in the served order. The order topics are shared:
   * a saga tested at the same time may add its own outcomes to these orders.
   */
  const mine = (order: Record<string, unknown>, ids: string[]) => {
    const timeline = order.timeline as { type: string; eventId: string; at: string }[];
    const times = timeline.map((t) => t.at);
    expect(times).toEqual([...times].sort());
    return timeline.filter((t) => ids.includes(t.eventId)).map((t) => t.type);
  };

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const waitForStatus = (orderId: string, status: string) =>
    waitFor(`order ${orderId} ${status}`, async () => {
      const res = await get(`/orders/${orderId}`);
      return res.status === 200 && res.body.status === status ? res.body : undefined;
    });

  it('serves a confirmed order with totals, lines and a timeline sorted by event time', async () => {
    const orderId = randomUUID();
    const ids = await producer.publishBatch([
      batchItem(OrderPlaced, placed(orderId, 1)),
      batchItem(StockReserved, {
        orderId,
        reservationId: 'res-1',
        warehouse: 'AMS-1',
        lines: [{ sku: 'BOOK-0451', quantity: 2 }],
        reservedAt: at(1, 5),
      }),
      batchItem(PaymentAuthorized, {
        orderId,
        paymentId: 'pay-1',
        amountCents: 3448,
        currency: 'EUR',
        authorizedAt: at(1, 7),
      }),
      batchItem(OrderConfirmed, {
        orderId,
        paymentId: 'pay-1',
        totalCents: 3448,
        currency: 'EUR',
        confirmedAt: at(1, 8),
      }),
    ]);
    // The four events sit on three topics: the verdict may be projected before the reservation.
    const order = await waitFor(`order ${orderId} confirmed with every fact`, async () => {
      const res = await get(`/orders/${orderId}`);
      const body = res.body as {
        status?: string;
        reservation?: unknown;
        payment?: { amountCents?: unknown };
      };
      return res.status === 200 &&
        body.status === 'CONFIRMED' &&
        body.reservation &&
        body.payment?.amountCents != null
        ? res.body
        : undefined;
    });
    expect(order).toMatchObject({
      orderId,
      customerId,
      currency: 'EUR',
      totalCents: 3448,
      itemCount: 3,
      rejectionReason: null,
      reservation: { reservationId: 'res-1', warehouse: 'AMS-1' },
      payment: { paymentId: 'pay-1', amountCents: 3448 },
    });
    expect(order.lines).toEqual([
      { sku: 'BOOK-0451', quantity: 2, unitPrice: 1299, lineTotalCents: 2598 },
      { sku: 'MUG-0007', quantity: 1, unitPrice: 850, lineTotalCents: 850 },
    ]);
    expect(mine(order, ids)).toEqual(['OrderPlaced', 'StockReserved', 'PaymentAuthorized', 'OrderConfirmed']);
  });

  it('copes with the payment before the order: status by precedence, timeline by event time', async () => {
    // No reservation: a saga running against the same topics (another test) cannot confirm this one.
    const orderId = randomUUID();
    const paymentId = await producer.publish(PaymentAuthorized, {
      orderId,
      paymentId: 'pay-2',
      amountCents: 3448,
      currency: 'EUR',
      authorizedAt: at(2, 7),
    });
    // Facts without the order are kept but not served.
    await waitFor('the early payment projected', async () => {
      const row = await runtime.db
        .selectFrom('order_summaries')
        .select('authorized_at')
        .where('order_id', '=', orderId)
        .executeTakeFirst();
      return row?.authorized_at ? true : undefined;
    });
    const early = await get(`/orders/${orderId}`);
    expect(early.status).toBe(404);
    const placedId = await producer.publish(OrderPlaced, placed(orderId, 2));
    const order = await waitForStatus(orderId, 'PAID');
    expect(order).toMatchObject({ totalCents: 3448, payment: { paymentId: 'pay-2', amountCents: 3448 } });
    expect(mine(order, [paymentId, placedId])).toEqual(['OrderPlaced', 'PaymentAuthorized']);
  });

  it('declined, cancelled and rejected orders, and the filtered, paginated list', async () => {
    const declined = randomUUID();
    const cancelled = randomUUID();
    const ids = await producer.publishBatch([
      batchItem(OrderPlaced, placed(declined, 3)),
      batchItem(PaymentDeclined, {
        orderId: declined,
        reason: 'CARD_EXPIRED',
        amountCents: 3448,
        currency: 'EUR',
        declinedAt: at(3, 2),
      }),
      batchItem(OrderPlaced, placed(cancelled, 4)),
      batchItem(OrderCancelled, { orderId: cancelled, reason: 'Ordered by mistake', cancelledAt: at(4, 9) }),
      batchItem(ReleaseStock, {
        orderId: cancelled,
        reservationId: 'res-x',
        reason: 'ORDER_CANCELLED',
        requestedAt: at(4, 10),
      }),
    ]);
    const d = await waitForStatus(declined, 'REJECTED');
    expect(d.rejectionReason).toBe('PAYMENT_DECLINED');
    const rejectedId = await producer.publish(OrderRejected, {
      orderId: declined,
      reason: 'PAYMENT_DECLINED',
      rejectedAt: at(3, 3),
    });
    ids.push(rejectedId);
    await waitFor('the rejection in the timeline', async () => {
      const res = await get(`/orders/${declined}`);
      return mine(res.body, ids).length === 3 ? true : undefined;
    });
    expect(mine((await get(`/orders/${declined}`)).body, ids)).toEqual([
      'OrderPlaced',
      'PaymentDeclined',
      'OrderRejected',
    ]);
    await waitForStatus(cancelled, 'CANCELLED');

    const all = await get(`/orders?customerId=${customerId}&limit=2`);
    expect(all.status).toBe(200);
    const page1 = all.body as { items: { orderId: string }[]; nextCursor: string };
    expect(page1.items.map((i) => i.orderId)).toEqual([cancelled, declined]);
    const page2 = (await get(`/orders?customerId=${customerId}&limit=2&cursor=${page1.nextCursor}`)).body as {
      items: { status: string }[];
      nextCursor: string | null;
    };
    expect(page2.items.map((i) => i.status)).toEqual(['PAID', 'CONFIRMED']);
    expect(page2.nextCursor).toBeNull();

    const onlyCancelled = (await get(`/orders?customerId=${customerId}&status=CANCELLED`)).body as {
      items: { orderId: string }[];
    };
    expect(onlyCancelled.items.map((i) => i.orderId)).toEqual([cancelled]);
  });

  it('a cancellation after the confirmation wins: CANCELLED, with the compensation in summary and timeline', async () => {
    const orderId = randomUUID();
    const ids = await producer.publishBatch([
      batchItem(OrderPlaced, placed(orderId, 5)),
      batchItem(StockReserved, {
        orderId,
        reservationId: 'res-5',
        warehouse: 'AMS-1',
        lines: [{ sku: 'BOOK-0451', quantity: 2 }],
        reservedAt: at(5, 5),
      }),
      batchItem(PaymentAuthorized, {
        orderId,
        paymentId: 'pay-5',
        amountCents: 3448,
        currency: 'EUR',
        authorizedAt: at(5, 7),
      }),
      batchItem(OrderConfirmed, {
        orderId,
        paymentId: 'pay-5',
        totalCents: 3448,
        currency: 'EUR',
        confirmedAt: at(5, 8),
      }),
    ]);
    const confirmed = await waitForStatus(orderId, 'CONFIRMED');
    expect(confirmed).toMatchObject({ voidRequestedAt: null, paymentVoidedAt: null });

    // The customer cancels after the verdict; the saga compensates (stock and payment).
    ids.push(
      ...(await producer.publishBatch([
        batchItem(OrderCancelled, { orderId, reason: 'Changed my mind', cancelledAt: at(5, 20) }),
        batchItem(ReleaseStock, {
          orderId,
          reservationId: 'res-5',
          reason: 'ORDER_CANCELLED',
          requestedAt: at(5, 21),
        }),
        batchItem(VoidPayment, {
          orderId,
          paymentId: 'pay-5',
          reason: 'ORDER_CANCELLED',
          requestedAt: at(5, 22),
        }),
        batchItem(PaymentVoided, {
          orderId,
          paymentId: 'pay-5',
          amountCents: 3448,
          currency: 'EUR',
          voidedAt: at(5, 23),
        }),
      ])),
    );
    // Three topics again: wait until every fact of this test is projected.
    const order = await waitFor(`order ${orderId} cancelled and compensated`, async () => {
      const res = await get(`/orders/${orderId}`);
      return res.status === 200 &&
        res.body.status === 'CANCELLED' &&
        mine(res.body, ids).length === ids.length
        ? res.body
        : undefined;
    });
    expect(order).toMatchObject({
      orderId,
      status: 'CANCELLED',
      rejectionReason: null,
      reservation: { reservationId: 'res-5' },
      payment: { paymentId: 'pay-5', amountCents: 3448, authorizedAt: at(5, 7) },
      voidRequestedAt: at(5, 22),
      paymentVoidedAt: at(5, 23),
    });
    expect(mine(order, ids)).toEqual([
      'OrderPlaced',
      'StockReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
      'OrderCancelled',
      'ReleaseStock',
      'VoidPayment',
      'PaymentVoided',
    ]);
    // The stored status (what the list filters on) agrees.
    const list = (await get(`/orders?customerId=${customerId}&status=CANCELLED`)).body as {
      items: { orderId: string; status: string }[];
    };
    expect(list.items.find((i) => i.orderId === orderId)?.status).toBe('CANCELLED');
  });

  it('answers bad input with precise 400s and unknown orders with 404', async () => {
    const unknown = await get(`/orders/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/is unknown/);
    const badId = await get('/orders/nope');
    expect(badId.status).toBe(400);
    expect(badId.body.message).toMatch(/params: id: must be an order ID/);
    const cases: [string, RegExp][] = [
      ['limit=0', /limit: Too small/],
      ['limit=abc', /limit: must be a number/],
      ['status=SHIPPED', /status: Invalid option/],
      ['cursor=xyz', /cursor: not a cursor/],
      ['colour=red', /Unrecognized key/],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/orders?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toMatch(message);
    }
  });

  it('serves an OpenAPI 3.1 document that real responses validate against', async () => {
    const doc = (await get('/openapi.json')).body as {
      openapi: string;
      paths: Record<
        string,
        { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }
      >;
      components?: { schemas?: Record<string, { required?: string[] }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/orders', '/orders/{id}']);
    // The compensation timestamps are documented (always present, null until seen).
    expect(doc.components?.schemas?.OrderSummary?.required).toEqual(
      expect.arrayContaining(['voidRequestedAt', 'paymentVoidedAt']),
    );
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    const validator = (path: string, status: number) => {
      const schema = doc.paths[path]?.get.responses[String(status)]?.content['application/json']?.schema;
      expect(schema, `${path} ${status}`).toBeDefined();
      return ajv.compile({ ...schema, components: doc.components });
    };
    const check = async (url: string, path: string, status: number) => {
      const res = await get(url);
      expect(res.status).toBe(status);
      const validate = validator(path, status);
      expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    };
    const { items } = (await get(`/orders?customerId=${customerId}`)).body as {
      items: { orderId: string }[];
    };
    // Includes the cancelled-after-confirmation order, whose void timestamps are set.
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (const item of items) await check(`/orders/${item.orderId}`, '/orders/{id}', 200);
    await check(`/orders?customerId=${customerId}&limit=1`, '/orders', 200);
    await check(`/orders/${randomUUID()}`, '/orders/{id}', 404);
    await check('/orders/nope', '/orders/{id}', 400);
    await check('/orders?limit=1000', '/orders', 400);
  });
});
