import { type Kysely, sql } from 'kysely';
import type { Logger } from './logger.ts';

export type ReadinessChecks = Record<string, { ok: boolean; detail?: string }>;

/**
 * What /readyz answers: ready when the instance is a member of its consumer group, PostgreSQL
 * answers and it is not stalled. Why the database did not answer goes to the log, not to whoever asks.
 */
export async function readinessChecks(o: {
  db: Kysely<unknown>;
  logger: Logger;
  member: boolean;
  stalled: boolean;
  stallTimeoutMs: number;
}): Promise<ReadinessChecks> {
  let database: { ok: boolean; detail?: string } = { ok: true };
  try {
    await sql`select 1`.execute(o.db);
  } catch (error) {
    o.logger.warn({ err: error }, 'readiness: the database did not answer');
    database = { ok: false, detail: 'the database did not answer (see the log)' };
  }
  return {
    consumerGroup: o.member ? { ok: true } : { ok: false, detail: 'not a member of the consumer group' },
    database,
    progress: o.stalled
      ? { ok: false, detail: `no progress for ${o.stallTimeoutMs} ms with lag` }
      : { ok: true },
  };
}
