import { randomUUID } from 'node:crypto';
import {
  inventoryTopic,
  OrderCancelled,
  OrderPlaced,
  OrderPlacedV1,
  ReleaseStock,
  StockRejected,
  StockReserved,
} from '@fleet/contracts/orders';
import { connectTestProducer, EventTap, ensureOrderTopics } from '@fleet/order-testkit';
import { batchItem, type FleetProducer } from '@fleet/producer';
import { testKafka } from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reservationIdOf } from '../src/order-lines.ts';
import { type InventoryWorld, placedOrder, startInventory } from './inventory-world.ts';

const kafka = testKafka('inventory-test');
let admin: Admin;
let producer: FleetProducer;
let tap: EventTap;
let world: InventoryWorld;

const cancelled = (orderId: string) => ({
  orderId,
  reason: 'changed my mind',
  cancelledAt: new Date().toISOString(),
});

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await ensureOrderTopics(admin);
  producer = await connectTestProducer('/test/inventory', [
    OrderPlaced,
    OrderPlacedV1,
    OrderCancelled,
    ReleaseStock,
  ]);
  tap = await EventTap.start(kafka, admin, [inventoryTopic.name]);
});
afterAll(async () => {
  await tap?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
});
beforeEach(async () => {
  world = await startInventory(kafka, admin);
});
afterEach(async () => {
  await world?.stop();
});

describe('inventory on real Kafka, registry and Postgres', () => {
  it('reserves every line of an order (v2, and v1 upcast) and publishes StockReserved', async () => {
    const [a, b] = await world.addStock(5, 2);
    const order = placedOrder([
      [a as string, 2],
      [b as string, 1],
      [a as string, 1], // the same SKU twice: reserved as one line of 3
    ]);
    const { currency: _, ...v1 } = placedOrder([[b as string, 1]]);
    await producer.publish(OrderPlaced, order);
    await producer.publish(OrderPlacedV1, v1);

    await tap.outcomes([order.orderId, v1.orderId], [StockReserved, StockRejected]);
    const [reserved] = tap.of(StockReserved, order.orderId);
    expect(reserved?.data).toMatchObject({
      orderId: order.orderId,
      reservationId: reservationIdOf(order.orderId),
      warehouse: 'AMS-1',
      lines: [
        { sku: a, quantity: 3 },
        { sku: b, quantity: 1 },
      ],
    });
    expect(tap.of(StockReserved, v1.orderId)).toHaveLength(1);
    expect(await world.stockOf(a as string)).toBe(2);
    expect(await world.stockOf(b as string)).toBe(0);
    expect(await world.reservationOf(order.orderId)).toMatchObject({ status: 'reserved', reason: null });

    const res = await fetch(`${world.runtime.httpAddress}/stock/${b}`);
    expect(await res.json()).toMatchObject({ sku: b, available: 0 });
    expect((await fetch(`${world.runtime.httpAddress}/stock/NOPE`)).status).toBe(404);
    const all = (await (await fetch(`${world.runtime.httpAddress}/stock`)).json()) as { items: unknown[] };
    expect(all.items).toHaveLength(50 + 2);
  });

  it('rejects an order it cannot fill entirely, names the short SKUs and holds nothing', async () => {
    const [a, b] = await world.addStock(5, 1);
    const short = placedOrder([
      [a as string, 2],
      [b as string, 2],
    ]);
    const unknown = placedOrder([
      [a as string, 1],
      ['NO-SUCH-SKU', 1],
    ]);
    await producer.publish(OrderPlaced, short);
    await producer.publish(OrderPlaced, unknown);

    await tap.outcomes([short.orderId, unknown.orderId], [StockReserved, StockRejected]);
    expect(tap.of(StockReserved, short.orderId)).toHaveLength(0);
    expect(tap.of(StockRejected, short.orderId)[0]?.data.missing).toEqual([
      { sku: b, requested: 2, available: 1 },
    ]);
    expect(tap.of(StockRejected, unknown.orderId)[0]?.data.missing).toEqual([
      { sku: 'NO-SUCH-SKU', requested: 1, available: 0 },
    ]);
    expect(await world.stockOf(a as string)).toBe(5);
    expect(await world.stockOf(b as string)).toBe(1);
    expect(await world.reservationOf(short.orderId)).toMatchObject({
      status: 'rejected',
      reason: 'out_of_stock',
    });
    expect(await world.reservationOf(unknown.orderId)).toMatchObject({
      status: 'rejected',
      reason: 'unknown_sku',
    });
  });

  it('gives the last unit to exactly one of two concurrent orders, and never goes below zero', async () => {
    const [last, few] = await world.addStock(1, 3);
    const rivals = [placedOrder([[last as string, 1]]), placedOrder([[last as string, 1]])];
    const crowd = Array.from({ length: 12 }, () => placedOrder([[few as string, 1]]));
    // One send: the orders land on several partitions, which the runtime applies concurrently.
    await producer.publishBatch([...rivals, ...crowd].map((o) => batchItem(OrderPlaced, o)));

    const ids = [...rivals, ...crowd].map((o) => o.orderId);
    await tap.outcomes(ids, [StockReserved, StockRejected]);
    const winners = (orders: { orderId: string }[]) =>
      orders.filter((o) => tap.of(StockReserved, o.orderId).length === 1).length;
    const losers = (orders: { orderId: string }[]) =>
      orders.filter((o) => tap.of(StockRejected, o.orderId).length === 1).length;
    expect([winners(rivals), losers(rivals)]).toEqual([1, 1]);
    expect([winners(crowd), losers(crowd)]).toEqual([3, 9]);
    expect(await world.stockOf(last as string)).toBe(0);
    expect(await world.stockOf(few as string)).toBe(0);
  });

  it('releases a reservation exactly once: cancelled twice, or cancelled and ReleaseStock', async () => {
    const [sku] = await world.addStock(10);
    const first = placedOrder([[sku as string, 4]]);
    const second = placedOrder([[sku as string, 4]]);
    await producer.publish(OrderPlaced, first);
    await producer.publish(OrderPlaced, second);
    await tap.outcomes([first.orderId, second.orderId], [StockReserved]);
    expect(await world.stockOf(sku as string)).toBe(2);

    const releases = await producer.publishBatch([
      batchItem(OrderCancelled, cancelled(first.orderId)),
      batchItem(OrderCancelled, cancelled(first.orderId)),
      batchItem(OrderCancelled, cancelled(second.orderId)),
      batchItem(ReleaseStock, {
        orderId: second.orderId,
        reservationId: reservationIdOf(second.orderId),
        reason: 'PAYMENT_DECLINED',
        requestedAt: new Date().toISOString(),
      }),
    ]);
    await world.processed(releases);
    expect(await world.stockOf(sku as string)).toBe(10);
    expect(await world.reservationOf(first.orderId)).toMatchObject({ status: 'released' });
    expect(await world.reservationOf(second.orderId)).toMatchObject({ status: 'released' });
  });

  it('rejects an order whose cancel came first (tombstone) and holds nothing for it', async () => {
    const [sku] = await world.addStock(3);
    const order = placedOrder([[sku as string, 2]]);
    const cancelId = await producer.publish(OrderCancelled, cancelled(order.orderId));
    await world.processed([cancelId]);
    expect(await world.reservationOf(order.orderId)).toMatchObject({ status: 'cancelled', lines: null });

    await producer.publish(OrderPlaced, order);
    await tap.outcomes([order.orderId], [StockReserved, StockRejected]);
    expect(tap.of(StockReserved, order.orderId)).toHaveLength(0);
    expect(tap.of(StockRejected, order.orderId)[0]?.data.missing).toEqual([
      { sku, requested: 2, available: 0 },
    ]);
    expect(await world.stockOf(sku as string)).toBe(3);
    expect(await world.reservationOf(order.orderId)).toMatchObject({
      status: 'rejected',
      reason: 'cancelled',
    });
  });

  it('reserves once when the same OrderPlaced arrives twice (same event ID, or re-sent under a new one)', async () => {
    const [sku] = await world.addStock(10);
    const order = placedOrder([[sku as string, 3]]);
    const id = randomUUID();
    const sent = [
      await producer.publish(OrderPlaced, order, { id }),
      await producer.publish(OrderPlaced, order, { id }),
      await producer.publish(OrderPlaced, order),
    ];
    await world.processed(sent);
    await tap.outcomes([order.orderId], [StockReserved]);
    // The outbox publishes asynchronously: give a wrongly repeated follow-on time to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(tap.of(StockReserved, order.orderId)).toHaveLength(1);
    expect(tap.of(StockRejected, order.orderId)).toHaveLength(0);
    expect(await world.stockOf(sku as string)).toBe(7);
  });
});
