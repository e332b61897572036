import { randomUUID } from 'node:crypto';
import { OrderCancelled, OrderConfirmed, OrderPlaced } from '@fleet/contracts/orders';
import { event, ProcessorSpec, type SpecEvent, serviceHttp } from '@fleet/processor';
import { createTestDatabase, infraSettings, type TestDatabase, uniqueName } from '@fleet/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesAnalytics } from '../src/processor.ts';
import type { SalesDb } from '../src/sales-db.ts';

// Sales per UTC day and SKU, given/when/then on real PostgreSQL and the registry, without Kafka
// (ProcessorSpec runs the same decode → dedupe → handlers path as the runtime): each when() is one
// sub-batch, so the tests choose exactly which events share a transaction and in which order they come.
describe('sales-analytics behaviour', () => {
  let database: TestDatabase;
  let spec: ProcessorSpec<SalesDb>;
  let api: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase('sales_analytics');
    spec = await ProcessorSpec.start(salesAnalytics, {
      databaseUrl: database.url,
      registryUrl: infraSettings().schemaRegistryUrl,
    });
    // The service's routes as the runtime serves them (its error answers included).
    api = await serviceHttp(salesAnalytics.http as NonNullable<typeof salesAnalytics.http>, spec.db);
  });
  afterAll(async () => {
    await api?.close();
    await spec?.close();
    await database?.drop();
  });

  const get = async (query: string) => {
    const res = await api.inject(`/sales?${query}`);
    return {
      status: res.statusCode,
      body: res.json() as { rows: Record<string, unknown>[]; error?: { code: string; message: string } },
    };
  };
  /** Applies the events as one sub-batch; none may be dead-lettered. */
  const apply = async (...events: SpecEvent[]) => {
    const { deadLettered } = await spec.when(...events);
    expect(deadLettered).toEqual([]);
  };
  /** The rows of one day for these SKUs only (the tests share the days' table). */
  const salesOf = async (day: string, skus: string[]) =>
    (await get(`from=${day}&to=${day}`)).body.rows.filter((r) => skus.includes(r.sku as string));
  const countedOf = (orderIds: string[]) =>
    spec.db
      .selectFrom('counted_orders')
      .select(['order_id', 'reversed_at'])
      .where('order_id', 'in', orderIds)
      .execute();

  it('counts each confirmed order once per UTC day and SKU, even when its events are delivered twice', async () => {
    const sku = uniqueName('SKU').slice(0, 60);
    const other = uniqueName('MUG').slice(0, 60);
    const order = (placedAt: string, quantity: number) => {
      const orderId = randomUUID();
      const placed = {
        orderId,
        customerId: 'cust-1',
        lines: [
          { sku, quantity, unitPrice: 1000 },
          { sku: other, quantity: 1, unitPrice: 250 },
        ],
        totalCents: quantity * 1000 + 250,
        currency: 'EUR',
        placedAt,
      };
      const confirmed = {
        orderId,
        paymentId: `pay-${orderId}`,
        totalCents: placed.totalCents,
        currency: 'EUR',
        confirmedAt: placedAt,
      };
      return { placedId: randomUUID(), confirmedId: randomUUID(), placed, confirmed };
    };
    const a = order('2031-05-01T10:00:00.000Z', 2);
    const b = order('2031-05-01T23:59:59.000Z', 3); // same UTC day
    const c = order('2031-05-02T00:00:01.000Z', 1); // next UTC day
    const notConfirmed = order('2031-05-01T12:00:00.000Z', 7);

    const deliveries = (o: ReturnType<typeof order>): SpecEvent[] => [
      event(OrderPlaced, o.placed, { id: o.placedId }),
      event(OrderConfirmed, o.confirmed, { id: o.confirmedId }),
    ];
    await apply(
      ...deliveries(a),
      ...deliveries(b),
      ...deliveries(c),
      deliveries(notConfirmed)[0] as SpecEvent,
    );
    // Delivered again: the same event IDs (a producer retry) ...
    await apply(...deliveries(a), ...deliveries(b), ...deliveries(c));
    // ... and the confirmation once more under a NEW event ID (an upstream republish): the SQL guard holds.
    await apply(event(OrderConfirmed, a.confirmed), event(OrderPlaced, c.placed));

    expect((await get(`from=2031-05-01&to=2031-05-02&sku=${sku}`)).body.rows).toEqual([
      { day: '2031-05-01', sku, currency: 'EUR', revenueCents: 5000, units: 5, orders: 2 },
      { day: '2031-05-02', sku, currency: 'EUR', revenueCents: 1000, units: 1, orders: 1 },
    ]);
    expect(await countedOf([a, b, c, notConfirmed].map((o) => o.placed.orderId))).toHaveLength(3);

    const both = await get(`from=2031-05-01&to=2031-05-01`);
    expect(both.body.rows.filter((r) => r.sku === other)).toEqual([
      { day: '2031-05-01', sku: other, currency: 'EUR', revenueCents: 500, units: 2, orders: 2 },
    ]);

    const bad = await get('from=2031-05-02&to=2031-05-01');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toBe('invalid querystring: to: must not be before from');
  });

  /** An order of `lines` (sku, quantity, unit price) placed, confirmed and cancelled on `day`, with fresh IDs. */
  const saleOf = (day: string, lines: [sku: string, quantity: number, unitPrice: number][]) => {
    const orderId = randomUUID();
    const totalCents = lines.reduce((sum, [, quantity, unitPrice]) => sum + quantity * unitPrice, 0);
    const at = `${day}T09:00:00.000Z`;
    const cancelledId = randomUUID();
    return {
      orderId,
      placed: event(
        OrderPlaced,
        {
          orderId,
          customerId: 'cust-2',
          lines: lines.map(([sku, quantity, unitPrice]) => ({ sku, quantity, unitPrice })),
          totalCents,
          currency: 'EUR',
          placedAt: at,
        },
        { id: randomUUID() },
      ),
      confirmed: event(
        OrderConfirmed,
        { orderId, paymentId: `pay-${orderId}`, totalCents, currency: 'EUR', confirmedAt: at },
        { id: randomUUID() },
      ),
      /** The cancel, under the same event ID each time unless another is given. */
      cancelled: (id = cancelledId) =>
        event(OrderCancelled, { orderId, reason: 'Changed my mind', cancelledAt: at }, { id }),
    };
  };
  const row = (day: string, sku: string, revenueCents: number, units: number, orders: number) => ({
    day,
    sku,
    currency: 'EUR',
    revenueCents,
    units,
    orders,
  });

  it('reverses a counted order to zero when it is cancelled after its confirmation', async () => {
    const day = '2031-06-01';
    const book = uniqueName('BOOK').slice(0, 60);
    const pen = uniqueName('PEN').slice(0, 60);
    const late = saleOf(day, [
      [book, 2, 1000],
      [pen, 1, 250],
    ]);
    const together = saleOf(day, [[book, 1, 1000]]);

    await apply(late.placed, late.confirmed);
    expect(await salesOf(day, [book, pen])).toEqual([row(day, book, 2000, 2, 1), row(day, pen, 250, 1, 1)]);

    // The saga compensates after OrderConfirmed: the cancel still wins. `together` has all three
    // events in one sub-batch (counted and reversed in one transaction).
    await apply(late.cancelled(), together.placed, together.confirmed, together.cancelled());
    expect(await salesOf(day, [book, pen])).toEqual([row(day, book, 0, 0, 0), row(day, pen, 0, 0, 0)]);
    const counted = await countedOf([late.orderId, together.orderId]);
    expect(counted).toHaveLength(2);
    expect(counted.every((c) => c.reversed_at instanceof Date)).toBe(true);
  });

  it('never counts an order cancelled before it was confirmed, or even placed', async () => {
    const day = '2031-06-02';
    const lamp = uniqueName('LAMP').slice(0, 60);
    const beforeConfirmed = saleOf(day, [[lamp, 5, 700]]);
    const beforePlaced = saleOf(day, [[lamp, 7, 700]]);
    const kept = saleOf(day, [[lamp, 1, 700]]);

    // One step at a time, so each order's events arrive in exactly this order.
    await apply(beforeConfirmed.placed, beforePlaced.cancelled());
    await apply(beforeConfirmed.cancelled(), beforePlaced.confirmed);
    await apply(beforeConfirmed.confirmed, beforePlaced.placed, kept.placed, kept.confirmed);
    expect(await salesOf(day, [lamp])).toEqual([row(day, lamp, 700, 1, 1)]);
    expect(await countedOf([beforeConfirmed.orderId, beforePlaced.orderId])).toEqual([]);
  });

  it('reverses a cancelled order once when its cancellation is delivered again', async () => {
    const day = '2031-06-03';
    const cup = uniqueName('CUP').slice(0, 60);
    const kept = saleOf(day, [[cup, 3, 1000]]);
    const cancelled = saleOf(day, [[cup, 1, 1000]]);

    await apply(kept.placed, kept.confirmed, cancelled.placed, cancelled.confirmed);
    expect(await salesOf(day, [cup])).toEqual([row(day, cup, 4000, 4, 2)]);

    // The same event ID twice (a producer retry), then a NEW event ID (an upstream republish): the
    // runtime's dedupe drops the first repeat, the `reversed_at` guard the second. Reversed twice, the
    // kept order would lose 1000 too (still >= 0, so no check constraint would catch it).
    await apply(cancelled.cancelled());
    await apply(cancelled.cancelled());
    await apply(cancelled.cancelled(randomUUID()));
    expect(await salesOf(day, [cup])).toEqual([row(day, cup, 3000, 3, 1)]);
    const counted = await countedOf([kept.orderId, cancelled.orderId]);
    expect(counted.find((c) => c.order_id === cancelled.orderId)?.reversed_at).toBeInstanceOf(Date);
    expect(counted.find((c) => c.order_id === kept.orderId)?.reversed_at).toBeNull();
  });
});
