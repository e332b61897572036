import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The runtime's own tables, in the processor's schema, migrated apart from the service's tables
 * (their own migration table) so either side can add migrations without ordering against the other.
 */
export const runtimeMigrations: Record<string, Migration> = {
  '001_processed_events_and_outbox': {
    async up(db: Kysely<unknown>) {
      // Dedupe record: one row per applied event ID, pruned after the dedupe window.
      await db.schema
        .createTable('processed_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('processed_events_processed_at')
        .on('processed_events')
        .column('processed_at')
        .execute();
      // Transactional outbox: written with the projection, published by the relay, deleted once acknowledged.
      await db.schema
        .createTable('outbox')
        .addColumn('seq', 'bigserial', (c) => c.primaryKey())
        .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('key', 'text')
        .addColumn('headers', 'jsonb', (c) => c.notNull())
        .addColumn('value', 'bytea', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};

export interface RuntimeTables {
  processed_events: { event_id: string; processed_at: Date };
  outbox: {
    seq: string;
    event_id: string;
    topic: string;
    key: string | null;
    headers: Record<string, string>;
    value: Buffer;
    created_at: Date;
  };
}
