import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const paymentsTables: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('payment_requests')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('customer_id', 'text')
      .addColumn('total_cents', 'bigint', (c) => c.check(sql`total_cents >= 0`))
      .addColumn('currency', 'text')
      .addColumn('placed_at', 'timestamptz')
      .addColumn('reservation_id', 'text')
      .addColumn('reserved_at', 'timestamptz')
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('payments')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('payment_id', 'text', (c) => c.notNull().unique())
      .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('authorized', 'declined')`))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('decline_code', 'text')
      .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
};
