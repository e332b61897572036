import pg from 'pg';
import type { RuntimeConfig } from '../runtime-config.ts';

/** A rebuild lock held; releasing it ends its connection. */
export interface RebuildLock {
  release(): Promise<void>;
}

/**
 * One rebuild, rollback or finalize per live schema at a time: a session advisory lock on a
 * connection of its own, held for the whole operation. Should the process die, its session ends and
 * the lock with it. Undefined when another operation holds it.
 */
export async function tryRebuildLock(
  database: RuntimeConfig['database'],
  schema: string,
): Promise<RebuildLock | undefined> {
  const client = new pg.Client({ connectionString: database.url, ssl: database.ssl || undefined });
  client.on('error', () => {});
  const release = () => client.end().catch(() => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock(hashtext($1)) as locked',
      [`fleet-rebuild:${schema}`],
    );
    if (rows[0]?.locked) return { release };
  } catch (error) {
    await release();
    throw error;
  }
  await release();
  return undefined;
}
