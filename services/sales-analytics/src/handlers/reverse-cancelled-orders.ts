import { sql, type Transaction } from 'kysely';
import type { SalesDb } from '../sales-db.ts';
import { foldOrderLines } from './fold-order-lines.ts';

/**
 * Takes back from the daily totals every order among `orderIds` that is cancelled but was counted
 * (cancelled after its confirmation) — in ONE statement, mirroring countConfirmedOrders: the
 * `counted_orders` row is marked reversed once (update … where reversed_at is null returning), its
 * lines are folded per day/SKU/currency as they were added (`foldOrderLines`), and the folded rows are
 * subtracted. A redelivered cancel (same or new event ID) finds the order reversed already and
 * changes nothing; a reversed order is never counted again, its `counted_orders` row stays.
 */
export async function reverseCancelledOrders(db: Transaction<SalesDb>, orderIds: string[]): Promise<number> {
  if (orderIds.length === 0) return 0;
  const { rows } = await sql<{ reversed: number }>`
    with reversed as (
      update counted_orders o set reversed_at = now()
      where o.order_id = any(${orderIds}::uuid[])
        and o.reversed_at is null
        and exists (select from cancelled_orders x where x.order_id = o.order_id)
      returning o.order_id
    ), folded as (${foldOrderLines('reversed')}
    ), subtracted as (
      -- The rows exist: the same fold added these amounts when the order was counted. A day/SKU whose
      -- orders were all cancelled stays as a row of zeros (the check constraints forbid going below).
      update daily_sku_sales s set
        revenue_cents = s.revenue_cents - f.revenue_cents,
        units = s.units - f.units,
        orders = s.orders - f.orders
      from folded f
      where (s.day, s.sku, s.currency) = (f.day, f.sku, f.currency)
      returning 1
    )
    select (select count(*) from reversed)::int as reversed`.execute(db);
  return rows[0]?.reversed ?? 0;
}
