import { type RegisteredProcessor, registeredProcessors } from '@fleet/processor';
import { type Kysely, sql } from 'kysely';
import { CliError, usageError } from './cli-error.ts';

export type { RegisteredProcessor };

/** Every processor that ever started against this database, by name. */
export async function listProcessors(db: Kysely<unknown>): Promise<RegisteredProcessor[]> {
  const { rows: exists } = await sql<{ ok: boolean }>`
    select to_regclass('fleet.processors') is not null as ok`.execute(db);
  if (!exists[0]?.ok) return [];
  return registeredProcessors(db).execute();
}

/**
 * The processor an operator named: by consumer group first (unique), then by name. A name that
 * several groups share (a rebuild running beside the live one) must be given as the group.
 */
export async function findProcessor(db: Kysely<unknown>, wanted: string): Promise<RegisteredProcessor> {
  const all = await listProcessors(db);
  const byGroup = all.find((p) => p.groupId === wanted);
  if (byGroup) return byGroup;
  const byName = all.filter((p) => p.name === wanted);
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1)
    throw new CliError(
      'PROCESSOR_AMBIGUOUS',
      `processor "${wanted}" runs as several consumer groups (${byName.map((p) => p.groupId).join(', ')}); name the group instead`,
    );
  throw usageError(
    'PROCESSOR_UNKNOWN',
    all.length === 0
      ? `no processor is registered in fleet.processors of this database, so "${wanted}" is unknown; start it once (it registers itself) or check --database-url / DATABASE_URL`
      : `unknown processor "${wanted}"; registered: ${all.map((p) => p.name).join(', ')} (see fleet status)`,
  );
}

/** The registered processor an operator named, or undefined when none is (several: PROCESSOR_AMBIGUOUS). */
export async function registeredProcessor(
  db: Kysely<unknown>,
  wanted: string,
): Promise<RegisteredProcessor | undefined> {
  try {
    return await findProcessor(db, wanted);
  } catch (error) {
    if (error instanceof CliError && error.code === 'PROCESSOR_UNKNOWN') return undefined;
    throw error;
  }
}
