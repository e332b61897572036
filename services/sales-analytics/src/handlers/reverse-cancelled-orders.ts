import { sql, type Transaction } from 'kysely';
import type { SalesDb } from '../sales-db.ts';

/**
 * Takes back from the daily totals every order among `orderIds` that is cancelled but was counted
 * (cancelled after its confirmation) — in ONE statement, mirroring countConfirmedOrders: the
 * `counted_orders` row is marked reversed once (update … where reversed_at is null returning), its
 * lines are folded per day/SKU/currency the same way they were added, and the folded rows are
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
    ), folded as (
      select p.placed_day as day, l.sku, p.currency,
             sum(l.quantity::bigint * l."unitPrice"::bigint) as revenue_cents,
             sum(l.quantity::bigint) as units,
             count(distinct p.order_id)::int as orders
      from placed_orders p
      join reversed r using (order_id)
      cross join lateral jsonb_to_recordset(p.lines) as l(sku text, quantity int, "unitPrice" bigint)
      group by p.placed_day, l.sku, p.currency
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
