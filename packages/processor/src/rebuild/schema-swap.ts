import { type Kysely, sql } from 'kysely';

/** Schema names of a processor's versions: live, being rebuilt, and the one a switch replaced. */
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
    await sql`alter schema ${sql.id(live)} rename to ${sql.id(keepAs)}`.execute(trx);
    await sql`alter schema ${sql.id(next)} rename to ${sql.id(live)}`.execute(trx);
  });
}
