import { type Kysely, sql } from 'kysely';
import { renameSchema } from '../schema-ddl.ts';

/**
 * Schema names of a processor's versions: live, being rebuilt, and the one a switch replaced. `fleet
 * provision` grants a processor's role these names and no other.
 */
export function versionSchemas(live: string) {
  return {
    live,
    rebuild: `${live}__rebuild`,
    previous: `${live}__previous`,
    rolledBack: `${live}__rolled_back`,
  };
}

export async function schemaExists(db: Kysely<unknown>, schema: string): Promise<boolean> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from pg_namespace where nspname = ${schema}`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

export async function dropSchema(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
}

/**
 * Makes `next` the live schema and keeps the current one as `keepAs`, in one transaction: readers
 * resolve unqualified names through search_path at each query, so they see the old tables up to the
 * commit and the new ones after it, never neither.
 */
export async function swapSchemas(
  db: Kysely<unknown>,
  live: string,
  next: string,
  keepAs: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = '10s'`.execute(trx);
    // As the processor's own role, through the provisioned function (it may rename only its schemas).
    await renameSchema(trx, live, keepAs);
    await renameSchema(trx, next, live);
  });
}
