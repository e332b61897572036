import type { EventCodec } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { Kysely, Transaction } from 'kysely';
import type { DeadLetter } from './dead-letter.ts';
import { recordNewEventIds } from './dedupe-store.ts';
import { errorCode } from './errors.ts';
import { isLockConflict, isTransientError } from './failure-kind.ts';
import { type Routed, runHandler, runsOfOneRoute } from './handler-runner.ts';
import { type LockAhead, takeLocksAhead } from './lock-ahead.ts';
import type { Logger } from './logger.ts';
import { insertOutbox, type OutboxMessage } from './outbox-store.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';
import { applyRecordByRecord } from './record-by-record.ts';
import type { RecordDecoder } from './record-decoder.ts';
import { type KeepGoing, retryTransient } from './retry-in-place.ts';
import type { RuntimeEvents } from './runtime-events.ts';
import { sendDeadLetters } from './send-dead-letters.ts';

/** Of letters about to be sent, those the DLQ holds already (by their source coordinates). */
export type AlreadyDeadLettered = (letters: DeadLetter[]) => Promise<ReadonlySet<DeadLetter>>;

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
  /** The processor's `lockAhead`: run first in each transaction that applies events. */
  lockAhead?: LockAhead<DB> | undefined;
  sendDeadLetters(letters: DeadLetter[]): Promise<void>;
  /**
   * Asked before sending letters, when given (a rebuild's replica, which replays records the live
   * version dead-lettered): those the DLQ holds already are not sent again.
   */
  alreadyDeadLettered?: AlreadyDeadLettered | undefined;
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
  async process(topic: string, partition: number, messages: KafkaMessage[], keepGoing: KeepGoing) {
    const letters: DeadLetter[] = [];
    const routed: Routed<DB>[] = [];
    for (const message of messages) {
      const record = await this.#d.decoder
        .decode(topic, partition, message)
        // decode() throws only what is worth retrying (the registry away while an unknown schema ID is looked up).
        .catch(() =>
          retryTransient(
            'decode a record',
            keepGoing,
            () => this.#d.decoder.decode(topic, partition, message),
            this.#d,
          ),
        );
      if (record.kind === 'event') routed.push(record);
      else if (record.kind === 'invalid')
        letters.push({ topic, partition, message, error: record.error, attempts: 1 });
      else this.#d.metrics.unrouted.add(1, this.#attrs);
    }

    if (routed.length > 0) letters.push(...(await this.#applySplittingOnConflict(routed, keepGoing)));
    if (letters.length > 0) await this.#deadLetter(topic, partition, letters, keepGoing);
  }

  async #deadLetter(topic: string, partition: number, letters: DeadLetter[], keepGoing: KeepGoing) {
    letters.sort((a, b) => compareOffsets(a.message.offset, b.message.offset));
    const held = (await this.#d.alreadyDeadLettered?.(letters)) ?? new Set<DeadLetter>();
    const fresh = held.size > 0 ? letters.filter((l) => !held.has(l)) : letters;
    if (held.size > 0)
      this.#d.logger.info(
        { topic, partition, offsets: [...held].map((l) => l.message.offset) },
        'records the dead-letter topic holds already: not dead-lettered again',
      );
    if (fresh.length === 0) return;
    await sendDeadLetters(fresh, (batch) => this.#d.sendDeadLetters(batch), keepGoing, this.#d);
    for (const { message, error } of fresh)
      this.#d.events.emit('record.dead_lettered', {
        topic,
        partition,
        offset: message.offset,
        reason: errorCode(error),
        error,
      });
  }

  /**
   * A sub-batch whose transaction lost a lock race (handlers of concurrent partitions locking the same
   * rows in another order) is applied again as two halves, in order, down to single events: smaller
   * transactions hold fewer locks, so the race does not repeat. Other transient failures retry in place.
   */
  async #applySplittingOnConflict(routed: Routed<DB>[], keepGoing: KeepGoing): Promise<DeadLetter[]> {
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
    return retryTransient('apply sub-batch', keepGoing, () => this.#apply(routed, keepGoing), this.#d);
  }

  /**
   * All together first; if that fails for any reason but a transient one, wherever it failed (dedupe
   * insert, a handler, the outbox insert), again record by record so only the records at fault are
   * dead-lettered.
   */
  async #apply(routed: Routed<DB>[], keepGoing: KeepGoing): Promise<DeadLetter[]> {
    try {
      await this.#d.db.transaction().execute((trx) => this.#applyTogether(trx, routed));
      return [];
    } catch (error) {
      if (isTransientError(error)) throw error;
      this.#d.logger.warn(
        { err: error, events: routed.length },
        'the sub-batch failed as a whole; applying it record by record',
      );
      const outcome = await applyRecordByRecord(this.#d, routed, keepGoing);
      this.#committed(outcome.applied, outcome.published);
      return outcome.letters;
    }
  }

  async #applyTogether(trx: Transaction<DB>, routed: Routed<DB>[]): Promise<void> {
    const fresh = await this.#newEvents(trx, routed);
    await takeLocksAhead(
      this.#d.lockAhead,
      trx,
      fresh.map((r) => r.event),
      this.#d.logger,
    );
    const outbox: OutboxMessage[] = [];
    for (const run of runsOfOneRoute(fresh)) await runHandler(this.#d, trx, run, outbox);
    await insertOutbox(trx as Transaction<unknown>, outbox);
    this.#committed(fresh.length, outbox.length);
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
}

const compareOffsets = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
