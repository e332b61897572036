import type { EventType } from '@fleet/contracts';
import type { BatchHandler, ProcessedEvent } from '@fleet/processor';
import { type RawBuilder, sql, type Transaction } from 'kysely';
import { deriveStatus, statusFactsOf } from '../order-status.ts';
import type { ViewDb } from '../view-db.ts';
import type { OrderFact } from './order-facts.ts';

/**
 * A batch handler for one event type, set-based: one upsert that merges the run's facts into the
 * summaries (first fact of each kind wins, so arrival order does not matter), one insert for the
 * timeline, and one update that sets the status derived from the merged facts by precedence.
 */
export function projectOrderFacts(factOf: (data: unknown) => OrderFact): BatchHandler<EventType, ViewDb> {
  return async (events, ctx) => {
    const facts = events.map((event) => ({ event, fact: factOf(event.data) }));
    // One row per order in the upsert (Postgres refuses to update a row twice in one statement).
    const perOrder = new Map<string, OrderFact>();
    for (const { fact } of facts) if (!perOrder.has(fact.orderId)) perOrder.set(fact.orderId, fact);
    const rows = [...perOrder.values()].map((f) => ({ order_id: f.orderId, ...f.columns }));
    const columns = Object.keys(rows[0] ?? {}).filter(
      (c) => c !== 'order_id',
    ) as (keyof OrderFact['columns'])[];
    if (rows.length === 0) return;

    const merged = await ctx.db
      .insertInto('order_summaries')
      .values(rows)
      .onConflict((oc) =>
        oc.column('order_id').doUpdateSet({
          ...Object.fromEntries(columns.map((c) => [c, firstWins(c)])),
          updated_at: sql`now()`,
        }),
      )
      .returning([
        'order_id',
        'placed_at',
        'reserved_at',
        'stock_rejected_at',
        'authorized_at',
        'declined_at',
        'cancelled_at',
        'confirmed_at',
        'rejected_at',
        'rejection_reason',
      ])
      .execute();

    await ctx.db
      .insertInto('order_timeline')
      .values(
        facts.map(({ event, fact }) => ({
          event_id: event.meta.id,
          order_id: fact.orderId,
          type: typeName(event),
          at: fact.at,
        })),
      )
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();

    await setStatuses(
      ctx.db,
      merged.map((r) => ({ orderId: r.order_id, status: deriveStatus(statusFactsOf(r)).status })),
    );
  };
}

const firstWins = (column: string): RawBuilder<unknown> =>
  sql`coalesce(order_summaries.${sql.ref(column)}, excluded.${sql.ref(column)})`;

/** `OrderPlaced`, not `fleet.orders.OrderPlaced.v2`: the timeline speaks business. */
const typeName = (event: ProcessedEvent<unknown>) => event.meta.type.split('.').at(-2) ?? event.meta.type;

async function setStatuses(
  db: Transaction<ViewDb>,
  statuses: { orderId: string; status: string }[],
): Promise<void> {
  if (statuses.length === 0) return;
  await sql`
    update order_summaries s
    set status = v.status
    from unnest(${statuses.map((s) => s.orderId)}::uuid[], ${statuses.map((s) => s.status)}::text[])
      as v(order_id, status)
    where s.order_id = v.order_id`.execute(db);
}
