import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { infraSettings } from './infra-settings.ts';
import { uniqueName } from './unique-name.ts';

export interface TestDatabase {
  /** Connection string of a fresh database nobody else uses. */
  url: string;
  name: string;
  /** Drops the database (terminating what is still connected). */
  drop(): Promise<void>;
}

/** A database of its own for one test file, so tests never see each other's rows. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = uniqueName(`fleet_${prefix}`).toLowerCase();
  const adminUrl = infraSettings().databaseUrl;
  await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await withAdminClient(adminUrl, async (c) => {
        // Pools closed just before may still be saying goodbye: terminating them now would reach their
        // clients as an error with no listener left. Give them a moment; FORCE ends what is left.
        for (let i = 0; i < 50; i++) {
          const { rows } = await c.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}

export function kyselyFor<DB>(url: string): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }),
  });
}

async function withAdminClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
