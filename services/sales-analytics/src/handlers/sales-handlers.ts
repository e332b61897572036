import type { OrderCancelled, OrderConfirmed, OrderPlaced } from '@fleet/contracts/orders';
import type { BatchHandler } from '@fleet/processor';
import type { SalesDb } from '../sales-db.ts';
import { countConfirmedOrders } from './count-confirmed-orders.ts';
import { reverseCancelledOrders } from './reverse-cancelled-orders.ts';

/** The UTC calendar day of an instant, e.g. 2026-03-14. */
export const utcDay = (instant: string) => new Date(instant).toISOString().slice(0, 10);

/** Remembers the lines of placed orders (first OrderPlaced wins); counts those confirmed already. */
export const onOrdersPlaced: BatchHandler<typeof OrderPlaced, SalesDb> = async (events, ctx) => {
  const byOrder = new Map(events.map((e) => [e.data.orderId, e.data] as const));
  await ctx.db
    .insertInto('placed_orders')
    .values(
      [...byOrder.values()].map((d) => ({
        order_id: d.orderId,
        placed_day: utcDay(d.placedAt),
        currency: d.currency,
        lines: JSON.stringify(d.lines),
      })),
    )
    .onConflict((oc) => oc.column('order_id').doNothing())
    .execute();
  const counted = await countConfirmedOrders(ctx.db, [...byOrder.keys()]);
  if (counted > 0)
    ctx.log.debug({ counted }, 'orders confirmed before their OrderPlaced was seen, now counted');
};

/** Records confirmations and counts every confirmed order whose lines are known and not cancelled. */
export const onOrdersConfirmed: BatchHandler<typeof OrderConfirmed, SalesDb> = async (events, ctx) => {
  const byOrder = new Map(events.map((e) => [e.data.orderId, e.data] as const));
  await ctx.db
    .insertInto('confirmed_orders')
    .values([...byOrder.values()].map((d) => ({ order_id: d.orderId, confirmed_at: d.confirmedAt })))
    .onConflict((oc) => oc.column('order_id').doNothing())
    .execute();
  const counted = await countConfirmedOrders(ctx.db, [...byOrder.keys()]);
  const waiting = byOrder.size - counted;
  if (waiting > 0)
    ctx.log.debug({ waiting }, 'confirmed orders not counted now: lines unknown yet or already counted');
};

/**
 * Records cancellations (first OrderCancelled wins) and takes back the sale of every order of the
 * batch that was counted already: a cancel wins even after the order was confirmed.
 */
export const onOrdersCancelled: BatchHandler<typeof OrderCancelled, SalesDb> = async (events, ctx) => {
  const byOrder = new Map(events.map((e) => [e.data.orderId, e.data] as const));
  await ctx.db
    .insertInto('cancelled_orders')
    .values([...byOrder.values()].map((d) => ({ order_id: d.orderId, cancelled_at: d.cancelledAt })))
    .onConflict((oc) => oc.column('order_id').doNothing())
    .execute();
  const reversed = await reverseCancelledOrders(ctx.db, [...byOrder.keys()]);
  if (reversed > 0) ctx.log.debug({ reversed }, 'orders cancelled after they were counted, now reversed');
};
