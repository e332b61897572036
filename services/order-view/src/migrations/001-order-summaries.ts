import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const orderSummaries: Migration = {
  async up(db: Kysely<unknown>) {
    const ts = 'timestamptz' as const;
    await db.schema
      .createTable('order_summaries')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('customer_id', 'text')
      .addColumn('currency', 'text')
      .addColumn('total_cents', 'bigint', (c) => c.check(sql`total_cents >= 0`))
      .addColumn('lines', 'jsonb')
      .addColumn('placed_at', ts)
      .addColumn('reservation_id', 'text')
      .addColumn('warehouse', 'text')
      .addColumn('reserved_at', ts)
      .addColumn('stock_rejected_at', ts)
      .addColumn('payment_id', 'text')
      .addColumn('authorized_cents', 'bigint')
      .addColumn('authorized_at', ts)
      .addColumn('declined_at', ts)
      .addColumn('decline_reason', 'text')
      .addColumn('cancelled_at', ts)
      .addColumn('cancel_reason', 'text')
      .addColumn('confirmed_at', ts)
      .addColumn('rejected_at', ts)
      .addColumn('rejection_reason', 'text')
      .addColumn('release_requested_at', ts)
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('PENDING'))
      .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    // Keyset pagination: newest first, the order ID breaks ties; one index per filter.
    await sql`create index order_summaries_placed on order_summaries (placed_at desc, order_id desc) where placed_at is not null`.execute(
      db,
    );
    await sql`create index order_summaries_customer on order_summaries (customer_id, placed_at desc, order_id desc) where placed_at is not null`.execute(
      db,
    );
    await sql`create index order_summaries_status on order_summaries (status, placed_at desc, order_id desc) where placed_at is not null`.execute(
      db,
    );
    await db.schema
      .createTable('order_timeline')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('order_id', 'uuid', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('order_timeline_order')
      .on('order_timeline')
      .columns(['order_id', 'at'])
      .execute();
  },
};
