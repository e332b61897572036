import { Kysely, PostgresDialect, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import pg from 'pg';
import type { RuntimeConfig } from './runtime-config.ts';
import { runtimeMigrations } from './runtime-migrations.ts';
import { ensureSchema } from './schema-ddl.ts';

type PoolSettings = Omit<RuntimeConfig['database'], 'query'>;

/**
 * A pool whose connections resolve unqualified names in the processor's schema first, so handlers
 * and migrations write `stock`, not `inventory.stock`, and a rebuild can point the same code at
 * another schema (`inventory_v2`).
 */
export function createDatabase<DB>(
  config: PoolSettings,
  schema: string,
  applicationName: string,
): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    ssl: config.ssl === false ? undefined : config.ssl,
    application_name: applicationName,
    options: `-c search_path=${schema},public -c statement_timeout=${config.statementTimeoutMs}`,
  });
  // A dropped connection (server restart, terminated backend) must not crash the process: an idle
  // one is reported on the pool, one in use on its client; the query in flight fails and is retried.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The pool of the service's own routes: its own connections (DATABASE_QUERY_POOL_MAX) and statement
 * timeout, so that a burst of slow reads waits for its own connections and never for the consumer's.
 */
export function createQueryDatabase<DB>(
  config: RuntimeConfig['database'],
  schema: string,
  processor: string,
): Kysely<DB> {
  const { poolMax, statementTimeoutMs } = config.query;
  return createDatabase<DB>({ ...config, poolMax, statementTimeoutMs }, schema, `${processor}-query`);
}

/**
 * Creates the schema (unless it exists: then only its owner's rights are needed, no CREATE on the
 * database) and brings the runtime's tables, then the service's, up to date.
 */
export async function migrate(
  db: Kysely<unknown>,
  schema: string,
  serviceMigrations: Record<string, Migration>,
): Promise<void> {
  await ensureSchema(db, schema);
  // Migrations may take long (an index on a big table): on a connection of their own, without the
  // pool's statement timeout.
  await db.connection().execute(async (connection) => {
    await sql`set statement_timeout = 0`.execute(connection);
    try {
      await migrateOn(connection, schema, serviceMigrations);
    } finally {
      await sql`reset statement_timeout`.execute(connection);
    }
  });
}

async function migrateOn(
  db: Kysely<unknown>,
  schema: string,
  serviceMigrations: Record<string, Migration>,
): Promise<void> {
  for (const [table, migrations] of [
    ['fleet_runtime_migration', runtimeMigrations],
    ['service_migration', serviceMigrations],
  ] as const) {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: schema,
      migrationTableName: table,
      migrationLockTableName: `${table}_lock`,
    });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error)
      throw new Error(
        `migration ${failed?.migrationName ?? ''} of schema ${schema} failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
  }
}
