import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A cancellation always wins: remember it, and mark a counted order once its sale is taken back. */
export const cancelledOrders: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('cancelled_orders')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('cancelled_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('counted_orders').addColumn('reversed_at', 'timestamptz').execute();
  },
};
