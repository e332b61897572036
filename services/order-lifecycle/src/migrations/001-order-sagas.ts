import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const orderSagas: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('order_sagas')
      .addColumn('order_id', 'uuid', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'jsonb', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
      .execute();
    await db.schema
      .createIndex('order_sagas_state')
      .on('order_sagas')
      .columns(['state', 'updated_at'])
      .execute();
    await db.schema
      .createTable('saga_anomalies')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('order_id', 'uuid', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('saga_anomalies_once_per_event', ['event_id', 'kind'])
      .execute();
    await db.schema.createIndex('saga_anomalies_order').on('saga_anomalies').column('order_id').execute();
    await db.schema
      .createIndex('saga_anomalies_kind')
      .on('saga_anomalies')
      .columns(['kind', 'recorded_at'])
      .execute();
  },
};
