import type { EventData, EventType } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { Transaction } from 'kysely';
import type { EventMeta, ProcessedEvent } from './event-meta.ts';
import type { Logger } from './logger.ts';

/**
 * A decision with an ID of its own (a schedule's, e.g. `saga-timeout:<order>`): follow-ons descend
 * from it as from an event, their IDs derive from its ID, so deciding again publishes nothing new.
 */
export interface Decision {
  id: string;
  /** Default: the decision's ID. */
  correlationId?: string;
}

export interface PublishOptions {
  /** Message key; defaults to the event type's key of the data (its entity ID). */
  key?: string;
  subject?: string;
  /** Publish even while replaying (follow-ons are suppressed during a rebuild by default). */
  evenOnReplay?: boolean;
}

/**
 * Writes a follow-on event to the outbox in the context's transaction and returns its deterministic
 * ID (UUIDv5 of the cause's ID, the processor and the publish's index for that cause). Only the event
 * types of the declaration's `publishes` compile (`P`). `C` is what a follow-on descends from: `never`
 * where the context has one event (it is the cause); where it has none or many (a batch, a schedule)
 * every call names its `cause`.
 */
export type Publish<P extends EventType, C> = <E extends P>(
  type: E,
  data: EventData<E>,
  ...options: [C] extends [never] ? [options?: PublishOptions] : [options: PublishOptions & { cause: C }]
) => Promise<string>;

declare const mayPublish: unique symbol;

/**
 * What a handler or a schedule gets: the transaction (the only way to write), a logger, the meter,
 * and publish(). One shape for handlers of one event, batch handlers and schedules.
 */
export interface HandlerContext<DB, P extends EventType = never, C = never> {
  db: Transaction<DB>;
  log: Logger;
  /** The processor's OpenTelemetry meter: instruments made with it are on the service's /metrics. */
  meter: Meter;
  /** True while rebuilding a projection: follow-ons are not written (see PublishOptions.evenOnReplay). */
  isReplay: boolean;
  publish: Publish<P, C>;
  /**
   * Type-level only, never set: makes a context that may publish more event types usable where one
   * that may publish fewer is expected, never the reverse (the compiler does not compare the
   * constraints of publish's type parameter), so a handler that publishes what its processor does
   * not declare is refused where it is routed.
   */
  readonly [mayPublish]?: (type: P) => void;
}

/** A batch handler's context: each follow-on names the event of the batch it descends from. */
export type BatchContext<DB, P extends EventType = never> = HandlerContext<DB, P, ProcessedEvent<unknown>>;

/** A schedule's context: each follow-on names the decision it descends from. */
export type ScheduleContext<DB, P extends EventType = never> = HandlerContext<DB, P, Decision>;

/** An event of type `E` as handlers get it: `EventOf<typeof OrderPlaced>`. */
export type EventOf<E extends EventType> = ProcessedEvent<EventData<E>>;

/** Handles one event of type `E` (the route's event type: `typeof OrderPlaced`). */
export type EventHandler<E extends EventType, DB, P extends EventType = never> = (
  event: EventOf<E>,
  ctx: HandlerContext<DB, P>,
) => Promise<void>;

/** Handles every new event of a run of type `E` at once. */
export type BatchHandler<E extends EventType, DB, P extends EventType = never> = (
  events: EventOf<E>[],
  ctx: BatchContext<DB, P>,
) => Promise<void>;

/**
 * The context with its cause fixed: what a batch handler or a schedule hands to code written for one
 * event (e.g. a decision applied like an event), whose follow-ons then descend from `cause`.
 */
export function causedBy<DB, P extends EventType, C>(
  ctx: HandlerContext<DB, P, C>,
  cause: C,
): HandlerContext<DB, P> {
  const publish = ctx.publish as (type: EventType, data: unknown, options: object) => Promise<string>;
  return {
    db: ctx.db,
    log: ctx.log,
    meter: ctx.meter,
    isReplay: ctx.isReplay,
    publish: ((type: EventType, data: unknown, options: PublishOptions = {}) =>
      publish(type, data, { ...options, cause })) as Publish<P, never>,
  };
}

export type { EventMeta, ProcessedEvent };
