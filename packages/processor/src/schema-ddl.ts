import { type Kysely, sql } from 'kysely';

/**
 * Creating and renaming a processor's schemas, whatever role the runtime connects as. PostgreSQL
 * checks CREATE on the database before it looks whether `create schema if not exists` has anything to
 * do, and renaming a schema needs it too. A processor's own role (`fleet provision`) has no CREATE on
 * the database: it goes through the functions the provisioning installed, which create or rename only
 * the schemas of that role's processor (its live schema and the rebuild's). A role that may create
 * schemas (the database's owner, a superuser) runs the statements itself, as before.
 */
interface SchemaPrivileges {
  exists: boolean;
  mayCreate: boolean;
  provisioned: boolean;
}

async function privileges(db: Kysely<unknown>, schema: string): Promise<SchemaPrivileges> {
  const { rows } = await sql<SchemaPrivileges>`
    select exists (select from pg_namespace where nspname = ${schema}) as "exists",
      has_database_privilege(current_database(), 'CREATE') as "mayCreate",
      to_regprocedure('fleet.create_processor_schema(text)') is not null as provisioned`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('reading the schema privileges returned no row');
  return row;
}

/**
 * Creates `schema` unless it exists; an existing one needs no privilege beyond using it. Instances
 * starting together on a fresh database race to create it, and `if not exists` does not settle that
 * race (the loser gets a unique violation on pg_namespace): the loser finds it created and goes on.
 */
export async function ensureSchema(db: Kysely<unknown>, schema: string): Promise<void> {
  const { exists, mayCreate, provisioned } = await privileges(db, schema);
  if (exists) return;
  try {
    if (mayCreate || !provisioned) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    else await sql`select fleet.create_processor_schema(${schema})`.execute(db);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const lostTheRace = (code === '23505' || code === '42P06') && (await privileges(db, schema)).exists;
    if (!lostTheRace) throw error;
  }
}

/** Renames `from` to `to` (in the caller's transaction, so that a swap of two renames is atomic). */
export async function renameSchema(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  const { mayCreate, provisioned } = await privileges(db, from);
  if (mayCreate || !provisioned) await sql`alter schema ${sql.id(from)} rename to ${sql.id(to)}`.execute(db);
  else await sql`select fleet.rename_processor_schema(${from}, ${to})`.execute(db);
}
