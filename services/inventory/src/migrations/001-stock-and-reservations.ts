import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const stockAndReservations: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('stock')
      .addColumn('sku', 'text', (c) => c.primaryKey())
      .addColumn('available', 'integer', (c) => c.notNull().check(sql`available >= 0`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('reservations')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('reservation_id', 'text')
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('reserved', 'released', 'rejected', 'cancelled')`),
      )
      .addColumn('lines', 'jsonb')
      .addColumn('reason', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema.createIndex('reservations_status').on('reservations').column('status').execute();
  },
};
