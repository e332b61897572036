import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const dailySkuSales: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('placed_orders')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('placed_day', 'date', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('lines', 'jsonb', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('confirmed_orders')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('counted_orders')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('counted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('daily_sku_sales')
      .addColumn('day', 'date', (c) => c.notNull())
      .addColumn('sku', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('revenue_cents', 'bigint', (c) => c.notNull().check(sql`revenue_cents >= 0`))
      .addColumn('units', 'bigint', (c) => c.notNull().check(sql`units >= 0`))
      .addColumn('orders', 'integer', (c) => c.notNull().check(sql`orders >= 0`))
      .addPrimaryKeyConstraint('daily_sku_sales_pk', ['day', 'sku', 'currency'])
      .execute();
    await db.schema
      .createIndex('daily_sku_sales_sku')
      .on('daily_sku_sales')
      .columns(['sku', 'day'])
      .execute();
  },
};
