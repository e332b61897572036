import { type Kysely, sql } from 'kysely';

/**
 * Terminates every Postgres backend of the processor (by application_name, in the run's database):
 * in-flight statements fail with 57P01 and pooled connections die, while the server stays up.
 * Returns how many were terminated: 0 means the fault had no effect (the caller does not count it).
 */
export async function terminateBackends(
  db: Kysely<unknown>,
  applicationName: string,
  database: string,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*) filter (where pg_terminate_backend(pid))::int as n
    from pg_stat_activity
    where application_name = ${applicationName} and datname = ${database} and pid <> pg_backend_pid()`.execute(
    db,
  );
  return rows[0]?.n ?? 0;
}
