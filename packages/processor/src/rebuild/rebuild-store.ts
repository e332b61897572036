import { type Kysely, sql } from 'kysely';
import { controlTables } from '../control-tables.ts';
import type { RuntimeTables } from '../runtime-migrations.ts';
import type { PartitionOffsets } from './partition-offsets.ts';

// What a rebuild reads and writes in the control tables (typed by `control-tables.ts`) and in the
// live schema.

/** Records where the live version's offsets stood when `schema` switched, for a rollback. */
export async function recordSwitch(
  db: Kysely<unknown>,
  schema: string,
  offsets: PartitionOffsets,
): Promise<void> {
  const json = JSON.stringify(Object.fromEntries([...offsets].map(([k, v]) => [k, v.toString()])));
  await controlTables(db)
    .insertInto('fleet.rebuilds')
    .values({ db_schema: schema, switch_offsets: json })
    .onConflict((oc) =>
      oc.column('db_schema').doUpdateSet((eb) => ({
        switch_offsets: eb.ref('excluded.switch_offsets'),
        switched_at: sql`now()`,
      })),
    )
    .execute();
}

/** The offsets recorded at the last switch of `schema`; undefined when none is recorded. */
export async function switchOffsets(
  db: Kysely<unknown>,
  schema: string,
): Promise<PartitionOffsets | undefined> {
  const row = await controlTables(db)
    .selectFrom('fleet.rebuilds')
    .select('switch_offsets')
    .where('db_schema', '=', schema)
    .executeTakeFirst();
  return row && new Map(Object.entries(row.switch_offsets).map(([k, v]) => [k, BigInt(v)]));
}

/** Forgets the switch of `schema` (finalized or rolled back: nothing to roll back to). */
export async function forgetSwitch(db: Kysely<unknown>, schema: string): Promise<void> {
  await controlTables(db).deleteFrom('fleet.rebuilds').where('db_schema', '=', schema).execute();
}

/** Instances of a group that heartbeat (within 15 s) and have not acknowledged a pause. */
export async function unpausedInstances(db: Kysely<unknown>, groupId: string): Promise<number> {
  const row = await controlTables(db)
    .selectFrom('fleet.instances')
    .select(sql<number>`count(*)::int`.as('waiting'))
    .where('group_id', '=', groupId)
    .where('paused', '=', false)
    .where('last_seen', '>', sql<Date>`now() - interval '15 seconds'`)
    .executeTakeFirst();
  return row?.waiting ?? 0;
}

/** Removes a replay group's registration and instances (it ran only for the rebuild). */
export async function forgetGroupRegistration(db: Kysely<unknown>, groupId: string): Promise<void> {
  const tables = controlTables(db);
  await tables.deleteFrom('fleet.processors').where('group_id', '=', groupId).execute();
  await tables.deleteFrom('fleet.instances').where('group_id', '=', groupId).execute();
}

/** Follow-ons the live version has not published yet. */
export async function outboxRows(db: Kysely<unknown>, schema: string): Promise<number> {
  const row = await db
    .withSchema(schema)
    .withTables<Pick<RuntimeTables, 'outbox'>>()
    .selectFrom('outbox')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirst();
  return row?.n ?? 0;
}
