import type { LockAhead } from '@fleet/processor';
import type { InventoryDb } from './inventory-db.ts';
import { lockSkus } from './stock-store.ts';

/**
 * inventory's `lockAhead`: every stock row a sub-batch will touch, locked in SKU order before its
 * first handler runs. An order locks its own SKUs in order, but a sub-batch reserves many orders one
 * after another in one transaction, so without this two partitions' sub-batches deadlock on hot SKUs.
 * OrderPlaced names its SKUs; a cancel or ReleaseStock gives back what the order's reservation holds.
 */
export const lockStockAhead: LockAhead<InventoryDb> = async (events, { db }) => {
  const skus = new Set<string>();
  const releasing: string[] = [];
  for (const { data } of events) {
    const { orderId, lines } = data as { orderId: string; lines?: { sku: string }[] };
    if (lines) for (const line of lines) skus.add(line.sku);
    else releasing.push(orderId);
  }
  if (releasing.length > 0) {
    const held = await db
      .selectFrom('reservations')
      .select('lines')
      .where('order_id', 'in', releasing)
      .where('status', '=', 'reserved')
      .execute();
    for (const { lines } of held) for (const line of lines ?? []) skus.add(line.sku);
  }
  await lockSkus(db, [...skus]);
};
