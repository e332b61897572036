import { sql, type Transaction } from 'kysely';
import type { ProcessedEvent } from './event-meta.ts';
import { isTransientError } from './failure-kind.ts';
import type { Logger } from './logger.ts';

/**
 * Takes, first in a sub-batch's transaction, the row locks its handlers will take, all of them and in
 * one order (`select … order by key for update`). Handlers of concurrent partitions that lock shared
 * rows (stock of the same SKUs) then queue behind each other instead of deadlocking: each handler
 * orders its own locks, but a transaction of many events takes them event after event, and two such
 * transactions meet in opposite orders. A deadlock costs PostgreSQL's `deadlock_timeout` (1 s) and a
 * split of the sub-batch. `events` are the sub-batch's new events, as their handlers will see them.
 */
export type LockAhead<DB> = (
  events: readonly ProcessedEvent<unknown>[],
  context: { db: Transaction<DB> },
) => Promise<void>;

/**
 * Runs the processor's `lockAhead` in a savepoint. It only orders locks the handlers take anyway, so
 * when it fails by itself (a bug, an unexpected payload) the sub-batch goes on without it, and a
 * warning says so; a transient failure (connection lost) escapes, to be retried in place.
 */
export async function takeLocksAhead<DB>(
  lockAhead: LockAhead<DB> | undefined,
  trx: Transaction<DB>,
  events: readonly ProcessedEvent<unknown>[],
  logger: Logger,
): Promise<void> {
  if (!lockAhead || events.length === 0) return;
  await sql`savepoint fleet_lock_ahead`.execute(trx);
  try {
    await lockAhead(events, { db: trx });
    await sql`release savepoint fleet_lock_ahead`.execute(trx);
  } catch (error) {
    if (isTransientError(error)) throw error;
    await sql`rollback to savepoint fleet_lock_ahead`.execute(trx);
    logger.warn({ err: error, events: events.length }, 'lockAhead failed; applying the sub-batch without it');
  }
}
