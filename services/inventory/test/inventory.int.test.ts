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
});
