import { sql, type Transaction } from 'kysely';
import { recordNewEventIds } from './dedupe-store.ts';
import { isTransientError } from './failure-kind.ts';
import { type HandlerRunnerDeps, type Routed, runHandler } from './handler-runner.ts';
import { type LockAhead, takeLocksAhead } from './lock-ahead.ts';
import { insertOutbox, type OutboxMessage } from './outbox-store.ts';
import { type KeepGoing, StoppedError } from './retry-in-place.ts';

/** Where in a record's handling it failed, and why. */
export class RecordFailure {
  readonly stage: 'dedupe' | 'handler' | 'outbox';
  readonly cause: unknown;
  constructor(stage: RecordFailure['stage'], cause: unknown) {
    this.stage = stage;
    this.cause = cause;
  }
}

export interface RecordPass<DB> {
  failures: Map<Routed<DB>, RecordFailure>;
  /** Events applied (new IDs whose handler and follow-ons succeeded). */
  applied: number;
  /** Follow-ons those events wrote to the outbox. */
  published: number;
}

/**
 * One pass over a sub-batch in the caller's transaction, every record in a savepoint of its own
 * holding its dedupe insert, its handler and its follow-ons: whatever fails for one record rolls back
 * that record alone. Records in `skip` (already given up) are left out. A transient failure, or a
 * savepoint that cannot be rolled back, escapes: the database broke, not the record.
 */
export async function passRecordByRecord<DB>(
  deps: HandlerRunnerDeps & { lockAhead?: LockAhead<DB> | undefined },
  trx: Transaction<DB>,
  routed: Routed<DB>[],
  skip: ReadonlyMap<Routed<DB>, unknown>,
  keepGoing: KeepGoing,
): Promise<RecordPass<DB>> {
  await sql`set constraints all immediate`.execute(trx); // a deferred constraint fails its own record
  await takeLocksAhead(
    deps.lockAhead,
    trx,
    routed.filter((item) => !skip.has(item)).map((item) => item.event),
    deps.logger,
  );
  const failures = new Map<Routed<DB>, RecordFailure>();
  let applied = 0;
  let published = 0;
  for (const [i, item] of routed.entries()) {
    if (skip.has(item)) continue;
    if (i % 100 === 99 && !(await keepGoing()))
      throw new StoppedError('stopped while applying record by record');
    await sql`savepoint fleet_record`.execute(trx);
    let stage: RecordFailure['stage'] = 'dedupe';
    try {
      const fresh = await recordNewEventIds(trx as Transaction<unknown>, [item.event.meta.id]);
      if (fresh.size === 0) {
        deps.metrics.duplicates.add(1, { processor: deps.processor });
      } else {
        stage = 'handler';
        const outbox: OutboxMessage[] = [];
        await runHandler(deps, trx, [item], outbox);
        stage = 'outbox';
        await insertOutbox(trx as Transaction<unknown>, outbox);
        applied++;
        published += outbox.length;
      }
      await sql`release savepoint fleet_record`.execute(trx);
    } catch (error) {
      if (isTransientError(error)) throw error;
      // Should this fail too, the database is what broke, not the record.
      await sql`rollback to savepoint fleet_record`.execute(trx);
      failures.set(item, new RecordFailure(stage, error));
    }
  }
  return { failures, applied, published };
}
