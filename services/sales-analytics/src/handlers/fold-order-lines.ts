import { sql } from 'kysely';

/**
 * The lines of the placed orders whose IDs the CTE `orders` returns, folded per day, SKU and
 * currency: what counting those orders adds to the daily totals, and what reversing them takes back.
 */
export const foldOrderLines = (orders: 'fresh' | 'reversed') => sql`
  select p.placed_day as day, l.sku, p.currency,
         sum(l.quantity::bigint * l."unitPrice"::bigint) as revenue_cents,
         sum(l.quantity::bigint) as units,
         count(distinct p.order_id)::int as orders
  from placed_orders p
  join ${sql.id(orders)} using (order_id)
  cross join lateral jsonb_to_recordset(p.lines) as l(sku text, quantity int, "unitPrice" bigint)
  group by p.placed_day, l.sku, p.currency`;
