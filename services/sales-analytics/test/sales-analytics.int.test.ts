import { randomUUID } from 'node:crypto';
import { applyTopicPlan, planTopics } from '@fleet/contracts';
import { OrderConfirmed, OrderPlaced, orderEvents, ordersTopic } from '@fleet/contracts/orders';
import { connectTestProducer, startServiceRuntime } from '@fleet/order-testkit';
import type { ProcessorRuntime } from '@fleet/processor';
import { batchItem, type FleetProducer, type PublishItem } from '@fleet/producer';
import { createTestDatabase, type TestDatabase, testKafka, uniqueName, waitFor } from '@fleet/testkit';
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

    const get = async (query: string) => {
      const res = await fetch(`${runtime.httpAddress}/sales?${query}`);
      return {
        status: res.status,
        body: (await res.json()) as { rows: Record<string, unknown>[]; message?: string },
      };
    };
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
});
