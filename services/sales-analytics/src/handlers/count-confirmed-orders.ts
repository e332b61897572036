import { sql, type Transaction } from 'kysely';
import type { SalesDb } from '../sales-db.ts';
import { foldOrderLines } from './fold-order-lines.ts';

/**
 * Adds to the daily totals every order among `orderIds` that is both placed and confirmed, not
 * cancelled and not counted yet — in ONE statement: `counted_orders` admits each order once (insert … on conflict do
 * nothing returning), its lines are folded per day/SKU/currency, and the folded rows are added with a
 * multi-row upsert. Redelivery (same or new event ID), either arrival order, or both events in one
 * batch: each order counts once.
 */
export async function countConfirmedOrders(db: Transaction<SalesDb>, orderIds: string[]): Promise<number> {
  if (orderIds.length === 0) return 0;
  const { rows } = await sql<{ counted: number }>`
    with ready as (
      select p.order_id
      from placed_orders p join confirmed_orders c using (order_id)
      where p.order_id = any(${orderIds}::uuid[])
        -- A cancellation wins whenever it arrived: one seen first means the order is never counted.
        and not exists (select from cancelled_orders x where x.order_id = p.order_id)
    ), fresh as (
      insert into counted_orders (order_id)
      select order_id from ready
      on conflict do nothing
      returning order_id
    ), folded as (${foldOrderLines('fresh')}
    ), added as (
      insert into daily_sku_sales (day, sku, currency, revenue_cents, units, orders)
      select day, sku, currency, revenue_cents, units, orders from folded
      on conflict (day, sku, currency) do update set
        revenue_cents = daily_sku_sales.revenue_cents + excluded.revenue_cents,
        units = daily_sku_sales.units + excluded.units,
        orders = daily_sku_sales.orders + excluded.orders
      returning 1
    )
    select (select count(*) from fresh)::int as counted`.execute(db);
  return rows[0]?.counted ?? 0;
}
