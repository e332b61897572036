import { randomUUID } from 'node:crypto';
import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  ReleaseStock,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { event, ProcessorSpec, type SpecEvent, serviceHttp } from '@fleet/processor';
import { createTestDatabase, infraSettings, type TestDatabase, uniqueName } from '@fleet/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderView } from '../src/processor.ts';
import type { ViewDb } from '../src/view-db.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

// The order summary read model, given/when/then on real PostgreSQL and the registry, without Kafka
// (ProcessorSpec runs the same decode → dedupe → handlers path as the runtime). The tests build on
// each other: one customer's orders, listed and paginated at the end.
describe('order-view behaviour', () => {
  let database: TestDatabase;
  let spec: ProcessorSpec<ViewDb>;
  let api: FastifyInstance;
  const customerId = uniqueName('cust').slice(0, 60);

  beforeAll(async () => {
    database = await createTestDatabase('order_view');
    spec = await ProcessorSpec.start(orderView, {
      databaseUrl: database.url,
      registryUrl: infraSettings().schemaRegistryUrl,
    });
    // The service's routes as the runtime serves them (its error answers included).
    api = await serviceHttp(orderView.http as NonNullable<typeof orderView.http>, spec.db);
  });
  afterAll(async () => {
    await api?.close();
    await spec?.close();
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
  /** Events with IDs of their own, to find them in the timeline. */
  const withIds = (...events: SpecEvent[]) => events.map((e) => ({ ...e, id: e.id ?? randomUUID() }));
  const idsOf = (events: SpecEvent[]) => events.map((e) => e.id as string);

  /** The timeline's event types in the served order, which must be event time. */
  const timelineOf = (order: Record<string, unknown>, ids: string[]) => {
    const timeline = order.timeline as { type: string; eventId: string; at: string }[];
    const times = timeline.map((t) => t.at);
    expect(times).toEqual([...times].sort());
    expect(timeline.map((t) => t.eventId).sort()).toEqual([...ids].sort());
    return timeline.map((t) => t.type);
  };

  const get = async (path: string) => {
    const res = await api.inject(path);
    // A success body, or the fleet's error body (`error` read only on error answers).
    return {
      status: res.statusCode,
      body: res.json() as Record<string, unknown> & { error?: { code: string; message: string } },
    };
  };
  const apply = async (...events: SpecEvent[]) => {
    const { deadLettered } = await spec.when(...events);
    expect(deadLettered).toEqual([]);
  };

  it('serves a confirmed order with totals, lines and a timeline sorted by event time', async () => {
    const orderId = randomUUID();
    const [orderPlaced, reserved, authorized, confirmed] = withIds(
      event(OrderPlaced, placed(orderId, 1)),
      event(StockReserved, {
        orderId,
        reservationId: 'res-1',
        warehouse: 'AMS-1',
        lines: [{ sku: 'BOOK-0451', quantity: 2 }],
        reservedAt: at(1, 5),
      }),
      event(PaymentAuthorized, {
        orderId,
        paymentId: 'pay-1',
        amountCents: 3448,
        currency: 'EUR',
        authorizedAt: at(1, 7),
      }),
      event(OrderConfirmed, {
        orderId,
        paymentId: 'pay-1',
        totalCents: 3448,
        currency: 'EUR',
        confirmedAt: at(1, 8),
      }),
    ) as [SpecEvent, SpecEvent, SpecEvent, SpecEvent];
    // The four events sit on three topics: the verdict may well be projected before the reservation.
    await apply(confirmed, authorized);
    await apply(orderPlaced, reserved);
    const order = await get(`/orders/${orderId}`);
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      orderId,
      customerId,
      status: 'CONFIRMED',
      currency: 'EUR',
      totalCents: 3448,
      itemCount: 3,
      rejectionReason: null,
      reservation: { reservationId: 'res-1', warehouse: 'AMS-1' },
      payment: { paymentId: 'pay-1', amountCents: 3448 },
    });
    expect(order.body.lines).toEqual([
      { sku: 'BOOK-0451', quantity: 2, unitPrice: 1299, lineTotalCents: 2598 },
      { sku: 'MUG-0007', quantity: 1, unitPrice: 850, lineTotalCents: 850 },
    ]);
    expect(timelineOf(order.body, idsOf([orderPlaced, reserved, authorized, confirmed]))).toEqual([
      'OrderPlaced',
      'StockReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
    ]);
  });

  it('copes with the payment before the order: status by precedence, timeline by event time', async () => {
    const orderId = randomUUID();
    const [payment, orderPlaced] = withIds(
      event(PaymentAuthorized, {
        orderId,
        paymentId: 'pay-2',
        amountCents: 3448,
        currency: 'EUR',
        authorizedAt: at(2, 7),
      }),
      event(OrderPlaced, placed(orderId, 2)),
    ) as [SpecEvent, SpecEvent];
    await apply(payment);
    // Facts without the order are kept but not served.
    const row = await spec.db
      .selectFrom('order_summaries')
      .select('authorized_at')
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    expect(row?.authorized_at).toBeInstanceOf(Date);
    expect((await get(`/orders/${orderId}`)).status).toBe(404);

    await apply(orderPlaced);
    const order = await get(`/orders/${orderId}`);
    expect(order.body).toMatchObject({
      status: 'PAID',
      totalCents: 3448,
      payment: { paymentId: 'pay-2', amountCents: 3448 },
    });
    expect(timelineOf(order.body, idsOf([payment, orderPlaced]))).toEqual([
      'OrderPlaced',
      'PaymentAuthorized',
    ]);
  });

  it('declined, cancelled and rejected orders, and the filtered, paginated list', async () => {
    const declined = randomUUID();
    const cancelled = randomUUID();
    const first = withIds(
      event(OrderPlaced, placed(declined, 3)),
      event(PaymentDeclined, {
        orderId: declined,
        reason: 'CARD_EXPIRED',
        amountCents: 3448,
        currency: 'EUR',
        declinedAt: at(3, 2),
      }),
      event(OrderPlaced, placed(cancelled, 4)),
      event(OrderCancelled, { orderId: cancelled, reason: 'Ordered by mistake', cancelledAt: at(4, 9) }),
      event(ReleaseStock, {
        orderId: cancelled,
        reservationId: 'res-x',
        reason: 'ORDER_CANCELLED',
        requestedAt: at(4, 10),
      }),
    );
    await apply(...first);
    const d = await get(`/orders/${declined}`);
    expect(d.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });

    const [rejected] = withIds(
      event(OrderRejected, { orderId: declined, reason: 'PAYMENT_DECLINED', rejectedAt: at(3, 3) }),
    ) as [SpecEvent];
    await apply(rejected);
    const declinedIds = idsOf([first[0], first[1], rejected] as SpecEvent[]);
    expect(timelineOf((await get(`/orders/${declined}`)).body, declinedIds)).toEqual([
      'OrderPlaced',
      'PaymentDeclined',
      'OrderRejected',
    ]);
    expect((await get(`/orders/${cancelled}`)).body.status).toBe('CANCELLED');

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
    const confirmedFlow = withIds(
      event(OrderPlaced, placed(orderId, 5)),
      event(StockReserved, {
        orderId,
        reservationId: 'res-5',
        warehouse: 'AMS-1',
        lines: [{ sku: 'BOOK-0451', quantity: 2 }],
        reservedAt: at(5, 5),
      }),
      event(PaymentAuthorized, {
        orderId,
        paymentId: 'pay-5',
        amountCents: 3448,
        currency: 'EUR',
        authorizedAt: at(5, 7),
      }),
      event(OrderConfirmed, {
        orderId,
        paymentId: 'pay-5',
        totalCents: 3448,
        currency: 'EUR',
        confirmedAt: at(5, 8),
      }),
    );
    await apply(...confirmedFlow);
    const confirmed = await get(`/orders/${orderId}`);
    expect(confirmed.body).toMatchObject({
      status: 'CONFIRMED',
      voidRequestedAt: null,
      paymentVoidedAt: null,
    });

    // The customer cancels after the verdict; the saga compensates (stock and payment).
    const compensation = withIds(
      event(OrderCancelled, { orderId, reason: 'Changed my mind', cancelledAt: at(5, 20) }),
      event(ReleaseStock, {
        orderId,
        reservationId: 'res-5',
        reason: 'ORDER_CANCELLED',
        requestedAt: at(5, 21),
      }),
      event(VoidPayment, {
        orderId,
        paymentId: 'pay-5',
        reason: 'ORDER_CANCELLED',
        requestedAt: at(5, 22),
      }),
      event(PaymentVoided, {
        orderId,
        paymentId: 'pay-5',
        amountCents: 3448,
        currency: 'EUR',
        voidedAt: at(5, 23),
      }),
    );
    await apply(...compensation);
    const order = (await get(`/orders/${orderId}`)).body;
    expect(order).toMatchObject({
      orderId,
      status: 'CANCELLED',
      rejectionReason: null,
      reservation: { reservationId: 'res-5' },
      payment: { paymentId: 'pay-5', amountCents: 3448, authorizedAt: at(5, 7) },
      voidRequestedAt: at(5, 22),
      paymentVoidedAt: at(5, 23),
    });
    expect(timelineOf(order, idsOf([...confirmedFlow, ...compensation]))).toEqual([
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
    expect(unknown.body.error?.message).toMatch(/is unknown/);
    const badId = await get('/orders/nope');
    expect(badId.status).toBe(400);
    expect(badId.body.error?.message).toMatch(/params: id: must be an order ID/);
    const cases: [string, RegExp][] = [
      ['limit=0', /limit: Too small/],
      ['limit=abc', /limit: must be a number/],
      ['status=SHIPPED', /status: Invalid option/],
      ['cursor=xyz', /cursor: not a cursor/],
      ['colour=red', /colour: unknown field/],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/orders?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error?.message, query).toMatch(message);
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
