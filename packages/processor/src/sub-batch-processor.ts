import { setTimeout as sleep } from 'node:timers/promises';
import { type EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { type Kysely, sql, type Transaction } from 'kysely';
import pRetry, { AbortError } from 'p-retry';
import type { DeadLetter } from './dead-letter.ts';
import { forgetEventIds, recordNewEventIds } from './dedupe-store.ts';
import type { Route } from './define-processor.ts';
import { deterministicId } from './deterministic-id.ts';
import { HandlerFailedError } from './errors.ts';
import type { ProcessedEvent } from './event-meta.ts';
import { currentTraceHeaders, inBatchSpan, inEventSpan } from './event-span.ts';
import type { PublishOptions } from './handler-context.ts';
import { type Logger, withEventLogContext } from './logger.ts';
import { insertOutbox, type OutboxMessage } from './outbox-store.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';
import type { RecordDecoder } from './record-decoder.ts';
import { isLockConflict, isTransientError } from './transient-error.ts';

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
    const started = performance.now();
    const letters: DeadLetter[] = [];
    const routed: Routed<DB>[] = [];
    for (const message of messages) {
      const record = await this.#d.decoder.decode(topic, partition, message);
      if (record.kind === 'event') routed.push(record);
      else if (record.kind === 'invalid')
        letters.push({ topic, partition, message, error: record.error, attempts: 1 });
      else this.#d.metrics.unrouted.add(1, this.#attrs);
    }

    if (routed.length > 0) letters.push(...(await this.#applySplittingOnConflict(routed, keepGoing)));
    if (letters.length > 0) {
      await this.#retryTransient('send dead letters', keepGoing, () => this.#d.sendDeadLetters(letters));
      for (const letter of letters) {
        const reason = (letter.error as { code?: string }).code ?? 'UNKNOWN';
        this.#d.metrics.deadLettered.add(1, { ...this.#attrs, reason });
        this.#d.logger.warn(
          { topic, partition, offset: letter.message.offset, reason, err: letter.error },
          'record sent to the dead-letter topic',
        );
      }
    }
    this.#d.metrics.batchSize.record(messages.length, this.#attrs);
    this.#d.metrics.batchSeconds.record((performance.now() - started) / 1000, this.#attrs);
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
        if (!(await keepGoing())) throw new AbortError(`stopped while retrying: ${what}`);
      },
    });
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
        return await this.#apply(routed);
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
    return this.#retryTransient('apply sub-batch', keepGoing, () => this.#apply(routed));
  }

  /** All together first; if a handler fails, again with each event isolated so the others still commit. */
  async #apply(routed: Routed<DB>[]): Promise<DeadLetter[]> {
    try {
      await this.#d.db.transaction().execute((trx) => this.#applyTogether(trx, routed));
      return [];
    } catch (error) {
      if (isTransientError(error)) throw error;
      this.#d.logger.warn(
        { err: error, events: routed.length },
        'a handler failed; applying the sub-batch event by event',
      );
      return await this.#d.db.transaction().execute((trx) => this.#applyIsolated(trx, routed));
    }
  }

  async #applyTogether(trx: Transaction<DB>, routed: Routed<DB>[]): Promise<void> {
    const fresh = await this.#newEvents(trx, routed);
    const outbox: OutboxMessage[] = [];
    for (const run of runsOfOneRoute(fresh)) await this.#runHandler(trx, run, outbox);
    await this.#finish(trx, fresh.length, outbox);
  }

  async #applyIsolated(trx: Transaction<DB>, routed: Routed<DB>[]): Promise<DeadLetter[]> {
    const fresh = await this.#newEvents(trx, routed);
    const outbox: OutboxMessage[] = [];
    const failed: DeadLetter[] = [];
    const failedIds: string[] = [];
    for (const item of fresh) {
      const maxAttempts = item.route.options.maxAttempts ?? this.#d.handlerMaxAttempts;
      for (let attempt = 1; ; attempt++) {
        const published: OutboxMessage[] = [];
        await sql`savepoint fleet_event`.execute(trx);
        try {
          await this.#runHandler(trx, [item], published);
          await sql`release savepoint fleet_event`.execute(trx);
          outbox.push(...published);
          break;
        } catch (error) {
          if (isTransientError(error)) throw error;
          await sql`rollback to savepoint fleet_event`.execute(trx);
          if (attempt >= maxAttempts) {
            const { meta } = item.event;
            failed.push({
              topic: meta.topic,
              partition: meta.partition,
              message: item.message,
              error: new HandlerFailedError(meta.type, attempt, error),
              attempts: attempt,
            });
            failedIds.push(meta.id);
            break;
          }
          this.#d.metrics.retries.add(1, { ...this.#attrs, kind: 'handler' });
          await sleep(Math.min(50 * 2 ** attempt, 2_000));
        }
      }
    }
    // A dead-lettered event was not applied: forget its ID so a redrive after a fix applies it.
    await forgetEventIds(trx as Transaction<unknown>, failedIds);
    await this.#finish(trx, fresh.length - failed.length, outbox);
    return failed;
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

  async #finish(trx: Transaction<DB>, applied: number, outbox: OutboxMessage[]): Promise<void> {
    await insertOutbox(trx as Transaction<unknown>, outbox);
    if (applied > 0) this.#d.metrics.processed.add(applied, this.#attrs);
    if (outbox.length > 0) queueMicrotask(() => this.#d.outboxWritten());
  }

  async #runHandler(trx: Transaction<DB>, run: Routed<DB>[], outbox: OutboxMessage[]): Promise<void> {
    const first = run[0];
    if (!first) return;
    const { route } = first;
    const publish = this.#publisher(outbox);
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

  /** publish() for handlers: encodes now (invalid data fails the handler) and queues an outbox row. */
  #publisher(outbox: OutboxMessage[]) {
    const counts = new Map<string, number>();
    return async <T>(
      cause: ProcessedEvent<unknown>,
      type: EventType<T>,
      data: T,
      options: PublishOptions = {},
    ) => {
      const index = counts.get(cause.meta.id) ?? 0;
      counts.set(cause.meta.id, index + 1);
      const id = deterministicId(cause.meta.id, this.#d.processor, index);
      if (this.#d.isReplay && !options.evenOnReplay) return id;
      const key = options.key ?? type.key(data);
      const value = await this.#d.codec.encode(type, data);
      const envelope = newEnvelope({
        id,
        type: type.type,
        source: `/fleet/${this.#d.processor}`,
        subject: options.subject ?? key,
        correlationId: cause.meta.correlationId,
        causationId: cause.meta.id,
        ...currentTraceHeaders(cause.meta),
      });
      outbox.push({ eventId: id, topic: type.topic.name, key, headers: envelopeToHeaders(envelope), value });
      return id;
    };
  }
}

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
