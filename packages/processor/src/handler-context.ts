import type { EventType } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { Transaction } from 'kysely';
import type { EventMeta, ProcessedEvent } from './event-meta.ts';
import type { Logger } from './logger.ts';

export interface PublishOptions {
  /** Message key; defaults to the event type's key of the data (its entity ID). */
  key?: string;
  subject?: string;
  /** Publish even while replaying (follow-ons are suppressed during a rebuild by default). */
  evenOnReplay?: boolean;
}

/** What a handler gets besides the event. The transaction is the only way to write. */
export interface HandlerContext<DB> {
  db: Transaction<DB>;
  log: Logger;
  meta: EventMeta;
  isReplay: boolean;
  /** The processor's OpenTelemetry meter: instruments made with it are on the service's /metrics. */
  meter: Meter;
  /** Writes a follow-on event to the outbox in this transaction; returns its (deterministic) ID. */
  publish<T>(eventType: EventType<T>, data: T, options?: PublishOptions): Promise<string>;
}

/** What a batch handler gets: one transaction for all new events of a run of its type. */
export interface BatchHandlerContext<DB> {
  db: Transaction<DB>;
  log: Logger;
  isReplay: boolean;
  /** The processor's OpenTelemetry meter: instruments made with it are on the service's /metrics. */
  meter: Meter;
  /** Like HandlerContext.publish, caused by one of the batch's events. */
  publish<T>(
    cause: ProcessedEvent<unknown>,
    eventType: EventType<T>,
    data: T,
    options?: PublishOptions,
  ): Promise<string>;
}

export type EventHandler<T, DB> = (event: ProcessedEvent<T>, ctx: HandlerContext<DB>) => Promise<void>;
export type BatchHandler<T, DB> = (
  events: ProcessedEvent<T>[],
  ctx: BatchHandlerContext<DB>,
) => Promise<void>;

export type { EventMeta, ProcessedEvent };

/** What a schedule gets: one transaction, and publish() for follow-ons of its decisions. */
export interface ScheduleContext<DB> {
  db: Transaction<DB>;
  log: Logger;
  meter: Meter;
  /**
   * Writes a follow-on event to the outbox in this transaction. `cause.id` names the decision (e.g.
   * `saga-timeout:<order>`): the follow-on's ID derives from it, so deciding again publishes nothing new.
   */
  publish<T>(
    cause: { id: string; correlationId?: string },
    eventType: EventType<T>,
    data: T,
    options?: PublishOptions,
  ): Promise<string>;
}
