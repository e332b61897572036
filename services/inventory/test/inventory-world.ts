import { randomUUID } from 'node:crypto';
import type { EventData } from '@fleet/contracts';
import { inventoryTopic, type OrderPlaced, ordersTopic } from '@fleet/contracts/orders';
import { startGroupAtEnd, startServiceRuntime } from '@fleet/order-testkit';
import { createTestDatabase, kyselyFor, uniqueName } from '@fleet/testkit';
import type { Admin, Kafka } from 'kafkajs';
import type { InventoryDb } from '../src/inventory-db.ts';
import { inventory } from '../src/processor.ts';

/**
 * One inventory instance for one test: its own database and consumer group (starting at the topics'
 * ends), plus SKUs of its own so other tests' orders on the shared topics never touch its stock.
 */
export async function startInventory(kafka: Kafka, admin: Admin) {
  const database = await createTestDatabase('inventory');
  const groupId = uniqueName('inventory');
  await startGroupAtEnd(kafka, admin, groupId, [ordersTopic.name, inventoryTopic.name]);
  const runtime = await startServiceRuntime(inventory, { databaseUrl: database.url, groupId });
  const db = kyselyFor<InventoryDb>(database.url).withSchema('inventory');
  const prefix = uniqueName('T').toUpperCase();
  let added = 0;

  return {
    runtime,
    db,
    /** Adds SKUs only this test orders; returns their names in the order given. */
    async addStock(...quantities: number[]): Promise<string[]> {
      const rows = quantities.map((available) => ({ sku: `${prefix}-${added++}`, available }));
      await db.insertInto('stock').values(rows).execute();
      return rows.map((r) => r.sku);
    },
    async stockOf(sku: string): Promise<number | undefined> {
      const row = await db.selectFrom('stock').select('available').where('sku', '=', sku).executeTakeFirst();
      return row?.available;
    },
    async stop(): Promise<void> {
      await runtime.stop();
      await db.destroy();
      await database.drop();
    },
  };
}

export type InventoryWorld = Awaited<ReturnType<typeof startInventory>>;

/** A placed order (v2) for the given SKU quantities, with a fresh order ID. */
export function placedOrder(
  lines: [sku: string, quantity: number][],
  orderId: string = randomUUID(),
): EventData<typeof OrderPlaced> {
  const orderLines = lines.map(([sku, quantity]) => ({ sku, quantity, unitPrice: 1000 }));
  return {
    orderId,
    customerId: 'cust-1',
    lines: orderLines,
    totalCents: orderLines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  };
}
