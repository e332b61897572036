import { randomUUID } from 'node:crypto';
import {
  OrderCancelled,
  OrderPlaced,
  OrderPlacedV1,
  ReleaseStock,
  StockRejected,
  StockReserved,
} from '@fleet/contracts/orders';
import { event, ProcessorSpec, type SpecOutcome, serviceHttp } from '@fleet/processor';
import { createTestDatabase, infraSettings, type TestDatabase } from '@fleet/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryDb } from '../src/inventory-db.ts';
import { reservationIdOf } from '../src/order-lines.ts';
import { inventory } from '../src/processor.ts';
import { placedOrder } from './inventory-world.ts';

// Inventory's decisions, given/when/then on real PostgreSQL and the registry, without Kafka
// (ProcessorSpec runs the same decode → dedupe → handlers → outbox path). What needs the broker
// (orders on several partitions applied concurrently, the outcomes on the wire) stays in
// inventory.int.test.ts; the stock guards under racing transactions in stock-store.int.test.ts.
describe('inventory behaviour', () => {
  let database: TestDatabase | undefined;
  let spec: ProcessorSpec<InventoryDb> | undefined;

  afterEach(async () => {
    await spec?.close();
    await database?.drop();
    spec = undefined;
    database = undefined;
  });

  /** A fresh inventory (the seeded catalogue) plus SKUs of the test's own with these quantities. */
  async function inventoryWith(...quantities: number[]) {
    database = await createTestDatabase('inventory_spec');
    const s = await ProcessorSpec.start(inventory, {
      databaseUrl: database.url,
      registryUrl: infraSettings().schemaRegistryUrl,
      events: [OrderPlacedV1],
    });
    spec = s;
    const skus = quantities.map((_, i) => `TEST-${i}`);
    await s.db
      .insertInto('stock')
      .values(quantities.map((available, i) => ({ sku: `TEST-${i}`, available })))
      .execute();
    return { s, skus };
  }
  const stockOf = async (sku: string) =>
    (await spec?.db.selectFrom('stock').select('available').where('sku', '=', sku).executeTakeFirst())
      ?.available;
  const reservationOf = (orderId: string) =>
    spec?.db.selectFrom('reservations').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  const publishedOf = (outcome: SpecOutcome, type: { type: string }, orderId: string) =>
    outcome.published.filter((p) => p.type === type.type && p.key === orderId).map((p) => p.data);
  const missingOf = (outcome: SpecOutcome, orderId: string) =>
    (publishedOf(outcome, StockRejected, orderId)[0] as { missing: unknown[] } | undefined)?.missing;
  const cancelled = (orderId: string) => ({
    orderId,
    reason: 'changed my mind',
    cancelledAt: new Date().toISOString(),
  });

  it('reserves every line of an order (v2, and v1 upcast) and publishes StockReserved', async () => {
    const { s, skus } = await inventoryWith(5, 2);
    const [a, b] = skus as [string, string];
    const order = placedOrder([
      [a, 2],
      [b, 1],
      [a, 1], // the same SKU twice: reserved as one line of 3
    ]);
    const { currency: _, ...v1 } = placedOrder([[b, 1]]);
    const outcome = await s.when(event(OrderPlaced, order), event(OrderPlacedV1, v1));

    expect(publishedOf(outcome, StockReserved, order.orderId)).toMatchObject([
      {
        orderId: order.orderId,
        reservationId: reservationIdOf(order.orderId),
        warehouse: 'AMS-1',
        lines: [
          { sku: a, quantity: 3 },
          { sku: b, quantity: 1 },
        ],
      },
    ]);
    expect(publishedOf(outcome, StockReserved, v1.orderId)).toHaveLength(1);
    expect(outcome.published.filter((p) => p.type === StockRejected.type)).toEqual([]);
    expect(await stockOf(a)).toBe(2);
    expect(await stockOf(b)).toBe(0);
    expect(await reservationOf(order.orderId)).toMatchObject({ status: 'reserved', reason: null });

    // The service's routes as the runtime serves them.
    const api = await serviceHttp(inventory.http as NonNullable<typeof inventory.http>, s.db);
    try {
      expect((await api.inject(`/stock/${b}`)).json()).toMatchObject({ sku: b, available: 0 });
      expect((await api.inject('/stock/NOPE')).statusCode).toBe(404);
      expect(((await api.inject('/stock')).json() as { items: unknown[] }).items).toHaveLength(50 + 2);
    } finally {
      await api.close();
    }
  });

  it('rejects an order it cannot fill entirely, names the short SKUs and holds nothing', async () => {
    const { s, skus } = await inventoryWith(5, 1);
    const [a, b] = skus as [string, string];
    const short = placedOrder([
      [a, 2],
      [b, 2],
    ]);
    const unknown = placedOrder([
      [a, 1],
      ['NO-SUCH-SKU', 1],
    ]);
    const outcome = await s.when(event(OrderPlaced, short), event(OrderPlaced, unknown));

    expect(publishedOf(outcome, StockReserved, short.orderId)).toHaveLength(0);
    expect(missingOf(outcome, short.orderId)).toEqual([{ sku: b, requested: 2, available: 1 }]);
    expect(missingOf(outcome, unknown.orderId)).toEqual([{ sku: 'NO-SUCH-SKU', requested: 1, available: 0 }]);
    expect(await stockOf(a)).toBe(5);
    expect(await stockOf(b)).toBe(1);
    expect(await reservationOf(short.orderId)).toMatchObject({ status: 'rejected', reason: 'out_of_stock' });
    expect(await reservationOf(unknown.orderId)).toMatchObject({ status: 'rejected', reason: 'unknown_sku' });
  });

  it('releases a reservation exactly once: cancelled twice, or cancelled and ReleaseStock', async () => {
    const { s, skus } = await inventoryWith(10);
    const sku = skus[0] as string;
    const first = placedOrder([[sku, 4]]);
    const second = placedOrder([[sku, 4]]);
    const reserved = await s.when(event(OrderPlaced, first), event(OrderPlaced, second));
    expect(publishedOf(reserved, StockReserved, first.orderId)).toHaveLength(1);
    expect(publishedOf(reserved, StockReserved, second.orderId)).toHaveLength(1);
    expect(await stockOf(sku)).toBe(2);

    const { deadLettered } = await s.when(
      event(OrderCancelled, cancelled(first.orderId)),
      event(OrderCancelled, cancelled(first.orderId)),
      event(OrderCancelled, cancelled(second.orderId)),
      event(ReleaseStock, {
        orderId: second.orderId,
        reservationId: reservationIdOf(second.orderId),
        reason: 'PAYMENT_DECLINED',
        requestedAt: new Date().toISOString(),
      }),
    );
    expect(deadLettered).toEqual([]);
    expect(await stockOf(sku)).toBe(10);
    expect(await reservationOf(first.orderId)).toMatchObject({ status: 'released' });
    expect(await reservationOf(second.orderId)).toMatchObject({ status: 'released' });
  });

  it('rejects an order whose cancel came first (tombstone) and holds nothing for it', async () => {
    const { s, skus } = await inventoryWith(3);
    const sku = skus[0] as string;
    const order = placedOrder([[sku, 2]]);
    await s.given(event(OrderCancelled, cancelled(order.orderId)));
    expect(await reservationOf(order.orderId)).toMatchObject({ status: 'cancelled', lines: null });

    const outcome = await s.when(event(OrderPlaced, order));
    expect(publishedOf(outcome, StockReserved, order.orderId)).toHaveLength(0);
    expect(missingOf(outcome, order.orderId)).toEqual([{ sku, requested: 2, available: 0 }]);
    expect(await stockOf(sku)).toBe(3);
    expect(await reservationOf(order.orderId)).toMatchObject({ status: 'rejected', reason: 'cancelled' });
  });

  it('reserves once when the same OrderPlaced arrives twice (same event ID, or re-sent under a new one)', async () => {
    const { s, skus } = await inventoryWith(10);
    const sku = skus[0] as string;
    const order = placedOrder([[sku, 3]]);
    const id = randomUUID();
    // Twice in one batch, once more in the next under the same ID, then under a new ID.
    const first = await s.when(event(OrderPlaced, order, { id }), event(OrderPlaced, order, { id }));
    const again = await s.when(event(OrderPlaced, order, { id }), event(OrderPlaced, order));
    // The outbox is read whole after each batch: a wrongly repeated follow-on would be here.
    expect(publishedOf(first, StockReserved, order.orderId)).toHaveLength(1);
    expect(publishedOf(again, StockReserved, order.orderId)).toHaveLength(0);
    expect([...first.published, ...again.published].filter((p) => p.type === StockRejected.type)).toEqual([]);
    expect([...first.deadLettered, ...again.deadLettered]).toEqual([]);
    expect(await stockOf(sku)).toBe(7);
  });
});
