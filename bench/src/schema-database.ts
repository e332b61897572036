import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** A pool whose connections write into `schema` (created if missing), like the runtime's own pools. */
export async function schemaDatabase<DB>(url: string, schema: string, poolMax = 4): Promise<Kysely<DB>> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    options: `-c search_path=${schema},public`,
  });
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  return db;
}

/** Rows in a table of the pool's schema (null when the table does not exist). */
export async function countRows(db: Kysely<unknown>, table: string): Promise<number | null> {
  try {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  } catch {
    return null;
  }
}
