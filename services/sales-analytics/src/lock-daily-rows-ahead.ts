import type { LockAhead } from '@fleet/processor';
import { sql } from 'kysely';
import { utcDay } from './handlers/sales-handlers.ts';
import type { SalesDb } from './sales-db.ts';

/**
 * sales-analytics' `lockAhead`: every daily total (day, SKU, currency) a sub-batch may add to or take
 * back from, locked first and in one order. The totals are upserted from folded lines, whose order a
 * hash aggregate decides, by several statements of a transaction; two partitions' sub-batches of
 * orders for the same SKUs deadlocked on them. A row that does not exist yet cannot be locked, so the
 * locks are transaction-level advisory locks on the total's key (class: the schema, so a rebuild's
 * replica does not wait for the live version), taken in the order of their IDs. A placed order names
 * its lines; a confirmation or cancel touches the lines of the order placed before it.
 */
export const lockDailyRowsAhead: LockAhead<SalesDb> = async (events, { db }) => {
  const placed = { days: [] as string[], skus: [] as string[], currencies: [] as string[] };
  const others: string[] = [];
  for (const { data } of events) {
    const d = data as { orderId: string; placedAt?: string; currency?: string; lines?: { sku: string }[] };
    if (d.lines && d.placedAt && d.currency)
      for (const line of d.lines) {
        placed.days.push(utcDay(d.placedAt));
        placed.skus.push(line.sku);
        placed.currencies.push(d.currency);
      }
    else others.push(d.orderId);
  }
  await sql`
    select count(pg_advisory_xact_lock(hashtext(current_schema()), k)) from (
      select distinct hashtext(day || '|' || sku || '|' || currency) as k from (
        select * from unnest(${placed.days}::text[], ${placed.skus}::text[], ${placed.currencies}::text[])
          as n(day, sku, currency)
        union all
        select p.placed_day::text, l.sku, p.currency
        from placed_orders p cross join lateral jsonb_to_recordset(p.lines) as l(sku text)
        where p.order_id = any(${others}::uuid[])
      ) as keys
      order by k
    ) as ordered`.execute(db);
};
