import { sql, type Transaction } from 'kysely';
import type { InventoryDb } from '../inventory-db.ts';
import { returnStock } from '../stock-store.ts';

export type ReleaseOutcome = 'released' | 'tombstoned' | 'nothing-held';

/**
 * Releases the order's reservation exactly once, whichever of OrderCancelled and ReleaseStock comes
 * (both may, from two topics, even at the same moment: the row lock orders them and only the first
 * finds it `reserved`). Before any OrderPlaced it leaves a tombstone so that the order is rejected.
 */
export async function releaseReservation(
  db: Transaction<InventoryDb>,
  orderId: string,
  reason: string,
): Promise<ReleaseOutcome> {
  const tombstone = await db
    .insertInto('reservations')
    .values({ order_id: orderId, reservation_id: null, status: 'cancelled', lines: null, reason })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returning('order_id')
    .executeTakeFirst();
  if (tombstone) return 'tombstoned';
  const released = await db
    .updateTable('reservations')
    .set({ status: 'released', reason, updated_at: sql`now()` })
    .where('order_id', '=', orderId)
    .where('status', '=', 'reserved')
    .returning('lines')
    .executeTakeFirst();
  if (!released?.lines) return 'nothing-held';
  await returnStock(db, released.lines);
  return 'released';
}
