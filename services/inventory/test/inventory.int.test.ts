import { inventoryTopic, OrderPlaced, StockRejected, StockReserved } from '@fleet/contracts/orders';
import { connectTestProducer, EventTap, ensureOrderTopics } from '@fleet/order-testkit';
import { batchItem, type FleetProducer } from '@fleet/producer';
import { testKafka } from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InventoryWorld, placedOrder, startInventory } from './inventory-world.ts';

const kafka = testKafka('inventory-test');
let admin: Admin;
let producer: FleetProducer;
let tap: EventTap;
let world: InventoryWorld;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await ensureOrderTopics(admin);
  producer = await connectTestProducer('/test/inventory', [OrderPlaced]);
  tap = await EventTap.start(kafka, admin, [inventoryTopic.name]);
  world = await startInventory(kafka, admin);
});
afterAll(async () => {
  await world?.stop();
  await tap?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
});

// What needs the broker: orders spread over several partitions, which the runtime applies
// concurrently, and the outcomes on the wire. What inventory decides for given events (every line,
// short and unknown SKUs, releases, tombstones, duplicates, the HTTP views) is tested without Kafka
// in inventory-behaviour.int.test.ts.
describe('inventory on real Kafka, registry and Postgres', () => {
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

  it('applies a backlog of multi-line orders over a few hot SKUs without a lock conflict between partitions', async () => {
    // Every order takes 3 of 6 SKUs, so concurrent partitions' sub-batches (each one transaction of
    // many orders) want the same stock rows in every order: the deadlock that used to cost a second
    // of Postgres' deadlock_timeout each and a split of the sub-batch.
    const hot = await world.addStock(...Array.from({ length: 6 }, () => 100_000));
    // The 20 ways to take 3 of the 6, in a scattered order.
    const threes = hot.flatMap((a, i) =>
      hot.flatMap((b, j) => hot.filter((_, k) => i < j && j < k).map((c) => [a, b, c])),
    );
    const orders = Array.from({ length: 1500 }, (_, i) =>
      placedOrder((threes[(i * 7) % threes.length] as string[]).map((sku) => [sku, 1])),
    );
    const conflicts = async () => {
      const text = await (await fetch(`${world.runtime.internalAddress}/metrics`)).text();
      return [...text.matchAll(/^fleet_retries_total\{[^}]*kind="(split|transient)"[^}]*\} (\d+)/gm)].reduce(
        (sum, m) => sum + Number(m[2]),
        0,
      );
    };
    const before = await conflicts();
    await producer.publishBatch(orders.map((o) => batchItem(OrderPlaced, o)));

    await tap.outcomes(
      orders.map((o) => o.orderId),
      [StockReserved, StockRejected],
    );
    expect(orders.filter((o) => tap.of(StockReserved, o.orderId).length === 1)).toHaveLength(orders.length);
    const taken = new Map<string, number>();
    for (const o of orders) for (const l of o.lines) taken.set(l.sku, (taken.get(l.sku) ?? 0) + l.quantity);
    for (const [sku, n] of taken) expect(await world.stockOf(sku)).toBe(100_000 - n);
    expect(await conflicts(), 'sub-batches retried after a deadlock or another transient failure').toBe(
      before,
    );
  });
});
