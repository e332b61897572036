import { randomUUID } from 'node:crypto';
import { applyTopicPlan, planTopics } from '@fleet/contracts';
import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  orderEvents,
  ordersTopic,
} from '@fleet/contracts/orders';
import { connectTestProducer, startServiceRuntime, waitForProcessed } from '@fleet/order-testkit';
import type { ProcessorRuntime } from '@fleet/processor';
import { batchItem, type FleetProducer, type PublishItem } from '@fleet/producer';
import { createTestDatabase, type TestDatabase, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesAnalytics } from '../src/processor.ts';
import type { SalesDb } from '../src/sales-db.ts';

describe('sales-analytics on real Kafka, registry and Postgres', () => {
  let database: TestDatabase;
  let producer: FleetProducer;
  let runtime: ProcessorRuntime<SalesDb>;

  beforeAll(async () => {
    const admin = testKafka('sales-analytics-test').admin();
    await admin.connect();
    await applyTopicPlan(admin, await planTopics(admin, [ordersTopic]));
    await admin.disconnect();
    database = await createTestDatabase('sales_analytics');
    producer = await connectTestProducer('/test/sales-analytics', orderEvents);
    runtime = await startServiceRuntime(salesAnalytics, { databaseUrl: database.url });
  });
  afterAll(async () => {
    await runtime?.stop();
    await producer?.disconnect();
    await database?.drop();
  });

  const get = async (query: string) => {
    const res = await fetch(`${runtime.httpAddress}/sales?${query}`);
    return {
      status: res.status,
      body: (await res.json()) as { rows: Record<string, unknown>[]; message?: string },
    };
  };
  /** Waits until the runtime has applied these event IDs (its dedupe table records them in the same transaction). */
  const processed = (eventIds: string[]) =>
    waitForProcessed(runtime.db as unknown as Kysely<{ processed_events: { event_id: string } }>, eventIds);
  /** The rows of one day for these SKUs only (other tests' orders share the days). */
  const salesOf = async (day: string, skus: string[]) =>
    (await get(`from=${day}&to=${day}`)).body.rows.filter((r) => skus.includes(r.sku as string));
  const countedOf = (orderIds: string[]) =>
    runtime.db
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

    const deliveries = (o: ReturnType<typeof order>): PublishItem[] => [
      batchItem(OrderPlaced, o.placed, { id: o.placedId }),
      batchItem(OrderConfirmed, o.confirmed, { id: o.confirmedId }),
    ];
    await producer.publishBatch([
      ...deliveries(a),
      ...deliveries(b),
      ...deliveries(c),
      deliveries(notConfirmed)[0] as PublishItem,
    ]);
    // Delivered again: the same event IDs (a producer retry) ...
    await producer.publishBatch([...deliveries(a), ...deliveries(b), ...deliveries(c)]);
    // ... and the confirmation once more under a NEW event ID (an upstream republish): the SQL guard holds.
    const republished = await producer.publishBatch([
      batchItem(OrderConfirmed, a.confirmed),
      batchItem(OrderPlaced, c.placed),
    ]);

    const expected = [
      { day: '2031-05-01', sku, currency: 'EUR', revenueCents: 5000, units: 5, orders: 2 },
      { day: '2031-05-02', sku, currency: 'EUR', revenueCents: 1000, units: 1, orders: 1 },
    ];
    await waitFor('sales of the confirmed orders', async () => {
      const { body } = await get(`from=2031-05-01&to=2031-05-02&sku=${sku}`);
      return JSON.stringify(body.rows) === JSON.stringify(expected) ? true : undefined;
    });
    // Everything consumed (the last batch too), and still counted once.
    await waitFor('the republished events processed', async () => {
      const rows = await runtime.db
        .selectFrom('processed_events' as never)
        .select('event_id' as never)
        .where('event_id' as never, 'in', republished as never)
        .execute();
      return rows.length === republished.length ? true : undefined;
    });
    expect((await get(`from=2031-05-01&to=2031-05-02&sku=${sku}`)).body.rows).toEqual(expected);
    const counted = await runtime.db
      .selectFrom('counted_orders')
      .select('order_id')
      .where(
        'order_id',
        'in',
        [a, b, c, notConfirmed].map((o) => o.placed.orderId),
      )
      .execute();
    expect(counted).toHaveLength(3);

    const both = await get(`from=2031-05-01&to=2031-05-01`);
    expect(both.body.rows.filter((r) => r.sku === other)).toEqual([
      { day: '2031-05-01', sku: other, currency: 'EUR', revenueCents: 500, units: 2, orders: 2 },
    ]);

    const bad = await get('from=2031-05-02&to=2031-05-01');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('invalid query: to: must not be before from');
  });

  /** An order of `lines` (sku, quantity, unit price) placed, confirmed and cancelled on `day`, with fresh IDs. */
  const saleOf = (day: string, lines: [sku: string, quantity: number, unitPrice: number][]) => {
    const orderId = randomUUID();
    const totalCents = lines.reduce((sum, [, quantity, unitPrice]) => sum + quantity * unitPrice, 0);
    const at = `${day}T09:00:00.000Z`;
    const cancelledId = randomUUID();
    return {
      orderId,
      placed: batchItem(
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
      confirmed: batchItem(
        OrderConfirmed,
        { orderId, paymentId: `pay-${orderId}`, totalCents, currency: 'EUR', confirmedAt: at },
        { id: randomUUID() },
      ),
      /** The cancel, under the same event ID each time unless another is given. */
      cancelled: (id = cancelledId) =>
        batchItem(OrderCancelled, { orderId, reason: 'Changed my mind', cancelledAt: at }, { id }),
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

    await producer.publishBatch([late.placed, late.confirmed]);
    await waitFor('the confirmed order counted', async () => {
      const rows = await salesOf(day, [book, pen]);
      return JSON.stringify(rows) === JSON.stringify([row(day, book, 2000, 2, 1), row(day, pen, 250, 1, 1)])
        ? true
        : undefined;
    });

    // The saga compensates after OrderConfirmed: the cancel still wins. `together` has all three
    // events in one batch (counted and reversed in one transaction).
    const ids = await producer.publishBatch([
      late.cancelled(),
      together.placed,
      together.confirmed,
      together.cancelled(),
    ]);
    await processed(ids);
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
    const ids = [
      ...(await producer.publishBatch([beforeConfirmed.placed, beforePlaced.cancelled()])),
      ...(await producer.publishBatch([beforeConfirmed.cancelled(), beforePlaced.confirmed])),
      ...(await producer.publishBatch([
        beforeConfirmed.confirmed,
        beforePlaced.placed,
        kept.placed,
        kept.confirmed,
      ])),
    ];
    await processed(ids);
    expect(await salesOf(day, [lamp])).toEqual([row(day, lamp, 700, 1, 1)]);
    expect(await countedOf([beforeConfirmed.orderId, beforePlaced.orderId])).toEqual([]);
  });

  it('reverses a cancelled order once when its cancellation is delivered again', async () => {
    const day = '2031-06-03';
    const cup = uniqueName('CUP').slice(0, 60);
    const kept = saleOf(day, [[cup, 3, 1000]]);
    const cancelled = saleOf(day, [[cup, 1, 1000]]);

    await producer.publishBatch([kept.placed, kept.confirmed, cancelled.placed, cancelled.confirmed]);
    await waitFor('both orders counted', async () => {
      const rows = await salesOf(day, [cup]);
      return JSON.stringify(rows) === JSON.stringify([row(day, cup, 4000, 4, 2)]) ? true : undefined;
    });

    // The same event ID twice (a producer retry), then a NEW event ID (an upstream republish): the
    // runtime's dedupe drops the first repeat, the `reversed_at` guard the second. Reversed twice, the
    // kept order would lose 1000 too (still >= 0, so no check constraint would catch it).
    const ids = [
      ...(await producer.publishBatch([cancelled.cancelled()])),
      ...(await producer.publishBatch([cancelled.cancelled()])),
      ...(await producer.publishBatch([cancelled.cancelled(randomUUID())])),
    ];
    await processed(ids);
    expect(await salesOf(day, [cup])).toEqual([row(day, cup, 3000, 3, 1)]);
    const counted = await countedOf([kept.orderId, cancelled.orderId]);
    expect(counted.find((c) => c.order_id === cancelled.orderId)?.reversed_at).toBeInstanceOf(Date);
    expect(counted.find((c) => c.order_id === kept.orderId)?.reversed_at).toBeNull();
  });
});
