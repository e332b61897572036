import type { InferResult, Kysely } from 'kysely';
import { controlTables } from './control-tables.ts';

/**
 * The processors registered in `fleet.processors` (each registers itself when it starts), by name
 * then consumer group: the one query of them for the `fleet` CLI and the console.
 */
export const registeredProcessors = (db: Kysely<unknown>) =>
  controlTables(db)
    .selectFrom('fleet.processors')
    .select([
      'group_id as groupId',
      'name',
      'db_schema as schema',
      'topics',
      'dlq_topic as dlqTopic',
      'dedupe_window_hours as dedupeWindowHours',
      'replay',
      'updated_at as updatedAt',
    ])
    .orderBy('name')
    .orderBy('group_id');

/** A row of `fleet.processors`: what the runtime registered at start-up. */
export type RegisteredProcessor = InferResult<ReturnType<typeof registeredProcessors>>[number];
