import { setTimeout as sleep } from 'node:timers/promises';
import type { EventCodec, EventType } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { type Kysely, sql, type Transaction } from 'kysely';
import pRetry, { AbortError } from 'p-retry';
import type { DeadLetter } from './dead-letter.ts';
import { recordNewEventIds } from './dedupe-store.ts';
import type { Route } from './define-processor.ts';
import { errorCode, HandlerFailedError } from './errors.ts';
import type { EventMeta, ProcessedEvent } from './event-meta.ts';
import { currentTraceHeaders, inBatchSpan, inEventSpan } from './event-span.ts';
import { failureKind, isLockConflict, isTransientError } from './failure-kind.ts';
import { type FollowOnCause, followOnPublisher } from './follow-on-publisher.ts';
import type { PublishOptions } from './handler-context.ts';
import { type Logger, withEventLogContext } from './logger.ts';
import { insertOutbox, type OutboxMessage } from './outbox-store.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';
import type { RecordDecoder } from './record-decoder.ts';
import type { RuntimeEvents } from './runtime-events.ts';

type Routed<DB> = { route: Route<DB>; event: ProcessedEvent<unknown>; message: KafkaMessage };

export interface SubBatchProcessorDeps<DB> {
  processor: string;
  db: Kysely<DB>;
  decoder: RecordDecoder<DB>;
  codec: EventCodec;
  logger: Logger;
  metrics: ProcessorMetrics;
  /** Handed to handlers for instruments of their own. */
  meter: Meter;
  handlerMaxAttempts: number;
  isReplay: boolean;
  sendDeadLetters(letters: DeadLetter[]): Promise<void>;
  events: RuntimeEvents;
  /** Called after a commit that wrote outbox rows, so the relay publishes them without waiting to poll. */
  outboxWritten(): void;
}

/**
 * Applies one partition's sub-batch: decode, then in ONE transaction record the new event IDs, run
 * the handlers in order and write their follow-on events to the outbox. Bad records and events whose
 * handler keeps failing go to the dead-letter topic; everything else commits. When this returns,
 * every record is durable in Postgres or in the DLQ, so the caller may commit the offsets.
 */
export class SubBatchProcessor<DB> {
  readonly #d: SubBatchProcessorDeps<DB>;
  readonly #attrs: { processor: string };

  constructor(deps: SubBatchProcessorDeps<DB>) {
    this.#d = deps;
    this.#attrs = { processor: deps.processor };
  }

  /** `keepGoing` is asked between retries: it heartbeats and says whether the consumer still runs. */
  async process(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    keepGoing: () => Promise<boolean>,
  ) {
    const letters: DeadLetter[] = [];
    const routed: Routed<DB>[] = [];
    for (const message of messages) {
      const record = await this.#d.decoder
        .decode(topic, partition, message)
        // decode() throws only what is worth retrying (the registry away while an unknown schema ID is looked up).
        .catch(() =>
          this.#retryTransient('decode a record', keepGoing, () =>
            this.#d.decoder.decode(topic, partition, message),
          ),
        );
      if (record.kind === 'event') routed.push(record);
      else if (record.kind === 'invalid')
        letters.push({ topic, partition, message, error: record.error, attempts: 1 });
      else this.#d.metrics.unrouted.add(1, this.#attrs);
    }

    if (routed.length > 0) letters.push(...(await this.#applySplittingOnConflict(routed, keepGoing)));
    if (letters.length > 0) {
      letters.sort((a, b) => compareOffsets(a.message.offset, b.message.offset));
      await this.#deadLetter(letters, keepGoing);
      for (const { message, error } of letters)
        this.#d.events.emit('record.dead_lettered', {
          topic,
          partition,
          offset: message.offset,
          reason: errorCode(error),
          error,
        });
    }
  }

  /** Retries transient failures (connection loss, deadlock, broker unavailable) with backoff, in place. */
  #retryTransient<T>(what: string, keepGoing: () => Promise<boolean>, work: () => Promise<T>): Promise<T> {
    return pRetry(work, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 100,
      maxTimeout: 10_000,
      randomize: true,
      shouldRetry: ({ error }) => isTransientError(error),
      onFailedAttempt: async ({ error, attemptNumber }) => {
        if (!isTransientError(error)) return;
        this.#d.metrics.retries.add(1, { ...this.#attrs, kind: 'transient' });
        this.#d.logger.warn({ err: error, attempt: attemptNumber }, `${what} failed transiently; retrying`);
        if (!(await keepGoing())) throw new AbortError(new StoppedError(`stopped while retrying: ${what}`));
      },
    });
  }

  /**
   * Sends dead letters; should the broker refuse them (a record too large once the reason headers are
   * added), one by one, and a letter still refused goes without its original key, value and headers,
   * with the reason for the omission: its source coordinates still point at the original.
   */
  async #deadLetter(letters: DeadLetter[], keepGoing: () => Promise<boolean>): Promise<void> {
    const send = (batch: DeadLetter[]) =>
      this.#retryTransient('send dead letters', keepGoing, () => this.#d.sendDeadLetters(batch));
    try {
      await send(letters);
      return;
    } catch (error) {
      if (error instanceof StoppedError) throw error;
      this.#d.logger.warn({ err: error }, 'the dead-letter topic refused a batch; sending one by one');
    }
    for (const letter of letters) {
      try {
        await send([letter]);
      } catch (error) {
        if (error instanceof StoppedError) throw error;
        await send([{ ...letter, omitted: error instanceof Error ? error.message : String(error) }]);
      }
    }
  }

  /**
   * A sub-batch whose transaction lost a lock race (handlers of concurrent partitions locking the same
   * rows in another order) is applied again as two halves, in order, down to single events: smaller
   * transactions hold fewer locks, so the race does not repeat. Other transient failures retry in place.
   */
  async #applySplittingOnConflict(
    routed: Routed<DB>[],
    keepGoing: () => Promise<boolean>,
  ): Promise<DeadLetter[]> {
    if (routed.length > 1) {
      try {
        return await this.#apply(routed, keepGoing);
      } catch (error) {
        if (isLockConflict(error)) {
          this.#d.metrics.retries.add(1, { ...this.#attrs, kind: 'split' });
          const half = Math.ceil(routed.length / 2);
          const first = await this.#applySplittingOnConflict(routed.slice(0, half), keepGoing);
          return [...first, ...(await this.#applySplittingOnConflict(routed.slice(half), keepGoing))];
        }
        if (!isTransientError(error)) throw error;
      }
    }
    return this.#retryTransient('apply sub-batch', keepGoing, () => this.#apply(routed, keepGoing));
  }

  /**
   * All together first; if that fails for any reason but a transient one, wherever it failed (dedupe
   * insert, a handler, the outbox insert), again record by record so only the records at fault are
   * dead-lettered.
   */
  async #apply(routed: Routed<DB>[], keepGoing: () => Promise<boolean>): Promise<DeadLetter[]> {
    try {
      await this.#d.db.transaction().execute((trx) => this.#applyTogether(trx, routed));
      return [];
    } catch (error) {
      if (isTransientError(error)) throw error;
      this.#d.logger.warn(
        { err: error, events: routed.length },
        'the sub-batch failed as a whole; applying it record by record',
      );
      return await this.#applyRecordByRecord(routed, keepGoing);
    }
  }

  async #applyTogether(trx: Transaction<DB>, routed: Routed<DB>[]): Promise<void> {
    const fresh = await this.#newEvents(trx, routed);
    const outbox: OutboxMessage[] = [];
    for (const run of runsOfOneRoute(fresh)) await this.#runHandler(trx, run, outbox);
    await insertOutbox(trx as Transaction<unknown>, outbox);
    this.#committed(fresh.length, outbox.length);
  }

  /**
   * Every record in a savepoint of its own, holding its dedupe insert, its handler and its follow-ons:
   * whatever fails for one record rolls back that record alone. Failures worth another attempt are
   * retried in rounds: the whole pass rolls back, waits (heartbeating, no transaction open) and runs
   * again, so events stay in partition order and a sub-batch takes at most `maxAttempts` passes
   * however many of its events fail. What escapes a record's savepoint is the database's failure,
   * not the record's, and is retried in place.
   */
  async #applyRecordByRecord(routed: Routed<DB>[], keepGoing: () => Promise<boolean>): Promise<DeadLetter[]> {
    const attempts = new Map<Routed<DB>, number>();
    const givenUp = new Map<Routed<DB>, DeadLetter>();
    for (let round = 1; ; round++) {
      const trx = await this.#d.db
        .startTransaction()
        .execute()
        .catch((error: unknown) => Promise.reject(new DatabaseUnavailableError(error)));
      let again = false;
      try {
        const pass = await this.#passRecordByRecord(trx, routed, givenUp, keepGoing);
        for (const [item, error] of pass.failures) {
          const attempt = (attempts.get(item) ?? 0) + 1;
          attempts.set(item, attempt);
          const maxAttempts = item.route.options.maxAttempts ?? this.#d.handlerMaxAttempts;
          if (failureKind(error.cause) === 'permanent' || attempt >= maxAttempts)
            givenUp.set(item, this.#letterFor(item, error, attempt));
          else again = true;
        }
        if (again) {
          await trx.rollback().execute();
        } else {
          await trx.commit().execute();
          this.#committed(pass.applied, pass.published);
          return [...givenUp.values()];
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
      this.#d.metrics.retries.add(1, { ...this.#attrs, kind: 'handler' });
      await this.#pause(Math.min(100 * 2 ** (round - 1), 2_000), keepGoing);
    }
  }

  async #passRecordByRecord(
    trx: Transaction<DB>,
    routed: Routed<DB>[],
    skip: ReadonlyMap<Routed<DB>, unknown>,
    keepGoing: () => Promise<boolean>,
  ): Promise<{ failures: Map<Routed<DB>, RecordFailure>; applied: number; published: number }> {
    await sql`set constraints all immediate`.execute(trx); // a deferred constraint fails its own record
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
          this.#d.metrics.duplicates.add(1, this.#attrs);
        } else {
          stage = 'handler';
          const outbox: OutboxMessage[] = [];
          await this.#runHandler(trx, [item], outbox);
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

  #letterFor(item: Routed<DB>, failure: RecordFailure, attempts: number): DeadLetter {
    const { meta } = item.event;
    const error =
      failure.stage === 'handler'
        ? new HandlerFailedError(meta.type, attempts, failure.cause)
        : failure.cause;
    return { topic: meta.topic, partition: meta.partition, message: item.message, error, attempts };
  }

  /** Waits between rounds in slices short enough to heartbeat the group session. */
  async #pause(ms: number, keepGoing: () => Promise<boolean>): Promise<void> {
    for (let left = ms; left > 0; left -= 1_000) {
      await sleep(Math.min(left, 1_000));
      if (!(await keepGoing())) throw new StoppedError('stopped while waiting to retry');
    }
  }

  /** Records the sub-batch's event IDs; returns the events seen for the first time, in order. */
  async #newEvents(trx: Transaction<DB>, routed: Routed<DB>[]): Promise<Routed<DB>[]> {
    const firstSeen = new Map<string, Routed<DB>>();
    for (const item of routed)
      if (!firstSeen.has(item.event.meta.id)) firstSeen.set(item.event.meta.id, item);
    const fresh = await recordNewEventIds(trx as Transaction<unknown>, [...firstSeen.keys()]);
    const result = [...firstSeen.values()].filter((item) => fresh.has(item.event.meta.id));
    const duplicates = routed.length - result.length;
    if (duplicates > 0) this.#d.metrics.duplicates.add(duplicates, this.#attrs);
    return result;
  }

  #committed(applied: number, published: number): void {
    if (applied > 0) this.#d.metrics.processed.add(applied, this.#attrs);
    if (published > 0) queueMicrotask(() => this.#d.outboxWritten());
  }

  async #runHandler(trx: Transaction<DB>, run: Routed<DB>[], outbox: OutboxMessage[]): Promise<void> {
    const first = run[0];
    if (!first) return;
    const { route } = first;
    const publishFollowOn = followOnPublisher(this.#d, outbox);
    const publish = <T>(
      cause: ProcessedEvent<unknown>,
      type: EventType<T>,
      data: T,
      options?: PublishOptions,
    ) => publishFollowOn(causeOf(cause.meta), type, data, options);
    const started = performance.now();
    if (route.kind === 'batch') {
      const events = run.map((r) => r.event);
      await inBatchSpan(
        this.#d.processor,
        route.event.type,
        events.map((e) => e.meta),
        () =>
          route.handler(events, {
            db: trx,
            log: this.#d.logger,
            isReplay: this.#d.isReplay,
            meter: this.#d.meter,
            publish: (cause, type, data, options) => publish(cause, type, data, options),
          }),
      );
    } else {
      for (const { event } of run) {
        const { meta } = event;
        const context = {
          eventId: meta.id,
          eventType: meta.type,
          topic: meta.topic,
          partition: meta.partition,
          offset: meta.offset,
          correlationId: meta.correlationId,
        };
        await withEventLogContext(context, () =>
          inEventSpan(this.#d.processor, meta, () =>
            route.handler(event, {
              db: trx,
              log: this.#d.logger,
              meta,
              isReplay: this.#d.isReplay,
              meter: this.#d.meter,
              publish: (type, data, options) => publish(event, type, data, options),
            }),
          ),
        );
      }
    }
    this.#d.metrics.handlerSeconds.record((performance.now() - started) / 1000, {
      ...this.#attrs,
      event_type: route.event.type,
    });
  }
}

const causeOf = (meta: EventMeta): FollowOnCause => ({
  id: meta.id,
  correlationId: meta.correlationId,
  traceHeaders: () => currentTraceHeaders(meta),
});

/** Where in a record's handling it failed, and why. */
class RecordFailure {
  readonly stage: 'dedupe' | 'handler' | 'outbox';
  readonly cause: unknown;
  constructor(stage: RecordFailure['stage'], cause: unknown) {
    this.stage = stage;
    this.cause = cause;
  }
}

/** The consumer stopped running (shutdown, rebalance) while a sub-batch waited: it is given up, unresolved. */
class StoppedError extends Error {}

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

const compareOffsets = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** Consecutive events with the same route: handlers see them in partition order, never regrouped. */
function runsOfOneRoute<DB>(items: Routed<DB>[]): Routed<DB>[][] {
  const runs: Routed<DB>[][] = [];
  for (const item of items) {
    const last = runs.at(-1);
    if (last && last[0]?.route === item.route) last.push(item);
    else runs.push([item]);
  }
  return runs;
}
