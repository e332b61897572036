import { type OrderPlaced, StockRejected, StockReserved } from '@fleet/contracts/orders';
import type { ContextFor, EventHandlerFor, EventOf } from '@fleet/processor';
import { sql } from 'kysely';
import type { ReservedLine } from '../inventory-db.ts';
import { mergeLines, reservationIdOf } from '../order-lines.ts';
import type { Inventory } from '../processor.ts';
import { takeStock } from '../stock-store.ts';

/** The one warehouse this service manages. */
export const WAREHOUSE = 'AMS-1';

/**
 * OrderPlaced → reserve every line or none, then StockReserved or StockRejected. One outcome per
 * order: a second OrderPlaced for the same order (even under a new event ID) changes nothing, and
 * an order whose cancel arrived first is rejected with the reason `cancelled`.
 */
export const reserveStock: EventHandlerFor<Inventory, typeof OrderPlaced> = async (event, ctx) => {
  const { orderId } = event.data;
  const lines = mergeLines(event.data.lines);
  const reservationId = reservationIdOf(orderId);
  // Claim the order first: the primary key serialises this with a cancel of the same order
  // that is being handled from the other topic at the same moment.
  const claimed = await ctx.db
    .insertInto('reservations')
    .values({ order_id: orderId, reservation_id: reservationId, status: 'reserved', lines: json(lines) })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returning('order_id')
    .executeTakeFirst();
  if (!claimed) return await placedAgain(event, lines, ctx);

  const short = await takeStock(ctx.db, lines);
  if (short.length === 0) {
    await ctx.publish(StockReserved, {
      orderId,
      reservationId,
      warehouse: WAREHOUSE,
      lines,
      reservedAt: new Date().toISOString(),
    });
    ctx.log.info({ orderId, lines: lines.length }, 'stock reserved');
    return;
  }
  const reason = short.some((s) => s.unknown) ? 'unknown_sku' : 'out_of_stock';
  await ctx.db
    .updateTable('reservations')
    .set({ status: 'rejected', reservation_id: null, reason, updated_at: sql`now()` })
    .where('order_id', '=', orderId)
    .execute();
  await ctx.publish(StockRejected, {
    orderId,
    missing: short.map(({ sku, requested, available }) => ({ sku, requested, available })),
    rejectedAt: new Date().toISOString(),
  });
  ctx.log.info({ orderId, reason, short }, 'stock rejected');
};

async function placedAgain(
  event: EventOf<typeof OrderPlaced>,
  lines: ReservedLine[],
  ctx: ContextFor<Inventory>,
) {
  const { orderId } = event.data;
  const existing = await ctx.db
    .selectFrom('reservations')
    .select(['status', 'reason'])
    .where('order_id', '=', orderId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (existing.status !== 'cancelled') {
    // The same order placed again (an upstream retry under a new event ID): its outcome stands.
    ctx.log.warn(
      { orderId, status: existing.status, eventId: event.meta.id },
      'OrderPlaced for an order already handled; ignored',
    );
    return;
  }
  // Cancelled before it was placed: hold nothing and say so. StockRejected has no reason field, so
  // every line is reported with nothing available to this order.
  await ctx.db
    .updateTable('reservations')
    .set({ status: 'rejected', lines: json(lines), reason: 'cancelled', updated_at: sql`now()` })
    .where('order_id', '=', orderId)
    .execute();
  await ctx.publish(StockRejected, {
    orderId,
    missing: lines.map((l) => ({ sku: l.sku, requested: l.quantity, available: 0 })),
    rejectedAt: new Date().toISOString(),
  });
  ctx.log.info({ orderId }, 'stock rejected: the order was cancelled before it was placed');
}

// pg sends a JS array as a Postgres array; jsonb needs the JSON text.
const json = (lines: ReservedLine[]) => JSON.stringify(lines) as unknown as ReservedLine[];
