import type { Kysely } from 'kysely';
import type { DeadLetter } from './dead-letter.ts';
import { HandlerFailedError } from './errors.ts';
import { failureKind, isTransientError } from './failure-kind.ts';
import type { HandlerRunnerDeps, Routed } from './handler-runner.ts';
import type { LockAhead } from './lock-ahead.ts';
import { passRecordByRecord, type RecordFailure } from './record-pass.ts';
import { type KeepGoing, StoppedError, waitHeartbeating } from './retry-in-place.ts';
import { afterFailure, backoffMs } from './route-policy.ts';
import type { RuntimeEvents } from './runtime-events.ts';

export interface RecordByRecordDeps<DB> extends HandlerRunnerDeps {
  db: Kysely<DB>;
  handlerMaxAttempts: number;
  lockAhead?: LockAhead<DB> | undefined;
  events: RuntimeEvents;
}

/** What a record-by-record application committed, and the records it gave up on. */
export interface RecordByRecordOutcome {
  letters: DeadLetter[];
  applied: number;
  published: number;
}

/**
 * Applies a sub-batch record by record (see `passRecordByRecord`). Failures worth another attempt
 * are retried in rounds: the whole pass rolls back, waits (heartbeating, no transaction open; the
 * longest backoff its failing routes ask for) and runs again, so events stay in partition order and a
 * sub-batch takes at most `maxAttempts` passes however many of its events fail. `permanent` failures
 * and records out of attempts are given up (their letters returned, their IDs not recorded), unless
 * their route says `onExhausted: 'stop'`: then the rounds go on, the partition held
 * (`route-policy.ts`). What escapes a record's savepoint is the database's failure, not the
 * record's, and is thrown as transient, to be retried in place.
 */
export async function applyRecordByRecord<DB>(
  deps: RecordByRecordDeps<DB>,
  routed: Routed<DB>[],
  keepGoing: KeepGoing,
): Promise<RecordByRecordOutcome> {
  const attempts = new Map<Routed<DB>, number>();
  const givenUp = new Map<Routed<DB>, DeadLetter>();
  for (;;) {
    const trx = await deps.db
      .startTransaction()
      .execute()
      .catch((error: unknown) => Promise.reject(new DatabaseUnavailableError(error)));
    let again = false;
    let waitMs = 0;
    try {
      const pass = await passRecordByRecord(deps, trx, routed, givenUp, keepGoing);
      for (const [item, error] of pass.failures) {
        const attempt = (attempts.get(item) ?? 0) + 1;
        attempts.set(item, attempt);
        const { options } = item.route;
        const next = afterFailure(options, failureKind(error.cause), attempt, deps.handlerMaxAttempts);
        if (next === 'dead-letter') givenUp.set(item, letterFor(item, error, attempt));
        else {
          again = true;
          waitMs = Math.max(waitMs, backoffMs(options, attempt));
          if (next === 'hold') held(deps, item, attempt, error.cause);
        }
      }
      if (again) {
        await trx.rollback().execute();
      } else {
        await trx.commit().execute();
        return { letters: [...givenUp.values()], applied: pass.applied, published: pass.published };
      }
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      throw isTransientError(error) || error instanceof StoppedError
        ? error
        : new DatabaseUnavailableError(error);
    }
    deps.metrics.retries.add(1, { processor: deps.processor, kind: 'handler' });
    await waitHeartbeating(waitMs, keepGoing);
  }
}

function held<DB>(deps: RecordByRecordDeps<DB>, item: Routed<DB>, attempts: number, error: unknown): void {
  const { meta } = item.event;
  deps.events.emit('record.held', {
    topic: meta.topic,
    partition: meta.partition,
    offset: meta.offset,
    eventType: meta.type,
    attempts,
    error,
  });
}

function letterFor<DB>(item: Routed<DB>, failure: RecordFailure, attempts: number): DeadLetter {
  const { meta } = item.event;
  const error =
    failure.stage === 'handler' ? new HandlerFailedError(meta.type, attempts, failure.cause) : failure.cause;
  return { topic: meta.topic, partition: meta.partition, message: item.message, error, attempts };
}

/** The database failed outside any record's savepoint (begin, commit, rollback): retried in place. */
class DatabaseUnavailableError extends Error {
  readonly failureKind = 'transient';
  constructor(cause: unknown) {
    super(
      `the database failed outside any record: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}
