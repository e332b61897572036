import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * Records event IDs as applied, in the caller's transaction, in one statement per sub-batch.
 * Returns the IDs that were new: only those are handed to handlers.
 */
export async function recordNewEventIds(trx: Transaction<unknown>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ event_id: string }>`
    insert into processed_events (event_id)
    select unnest(${ids}::text[])
    on conflict do nothing
    returning event_id`.execute(trx);
  return new Set(rows.map((r) => r.event_id));
}

/**
 * Deletes dedupe records older than the window, a chunk at a time so no statement holds many locks.
 * A duplicate older than the window is no longer recognised: the window must exceed the longest
 * time a producer may redeliver (retries, replays of the live group).
 */
export async function pruneEventIds(
  db: Kysely<unknown>,
  windowHours: number,
  chunk = 10_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from processed_events where event_id in (
        select event_id from processed_events
        where processed_at < now() - make_interval(hours => ${windowHours})
        limit ${chunk})`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0);
    total += deleted;
    if (deleted < chunk) return total;
  }
}
