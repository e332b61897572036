import type { EventType } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { Transaction } from 'kysely';
import type { EventMeta, ProcessedEvent } from './event-meta.ts';
import { PermanentError } from './failure-kind.ts';
import type {
  BatchContext,
  BatchHandler,
  EventHandler,
  HandlerContext,
  PublishOptions,
} from './handler-context.ts';
import type { Logger } from './logger.ts';

/** A route's policies (checked by defineProcessor, see `definition-problems.ts`; applied in `route-policy.ts`). */
export interface RouteOptions {
  /** Attempts of an event whose handler keeps failing (1–100; default PROCESSOR_HANDLER_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /**
   * The wait between attempts, doubling from `initialMs` up to `maxMs` (default 100 ms up to 2 s; at
   * most 300,000). The partition waits too: its later events stay behind, in order.
   */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * When the attempts run out or the handler throws PermanentError: `dead-letter` (default) sends
   * the event to the DLQ and goes on; `stop` holds the partition at the event (retried every
   * `backoff.maxMs`, reported as `record.held`, logged as an error) until a fixed handler succeeds or
   * an operator moves the group past it: for flows where skipping an event corrupts what follows, as a
   * ledger's. Records that cannot be decoded go to the DLQ whatever the route says.
   */
  onExhausted?: 'dead-letter' | 'stop';
}

/** What the runtime hands a route for one event; the follow-on's cause is that event. */
export interface EventInvocation<DB> {
  db: Transaction<DB>;
  log: Logger;
  meta: EventMeta;
  isReplay: boolean;
  meter: Meter;
  publish(type: EventType, data: unknown, options?: PublishOptions): Promise<string>;
}

/** What the runtime hands a route for a run of events; each follow-on names its cause first. */
export interface BatchInvocation<DB> {
  db: Transaction<DB>;
  log: Logger;
  isReplay: boolean;
  meter: Meter;
  publish(
    cause: ProcessedEvent<unknown>,
    type: EventType,
    data: unknown,
    options?: PublishOptions,
  ): Promise<string>;
}

// Type-level only: the event types a route's handler may publish, so that a route made for a
// processor that publishes more does not fit one that publishes less.
declare const publishes: unique symbol;

/**
 * One line of the routing table: an event type, its handler and its policies. `handler` is the
 * runtime's side of it (see RouteBuilders for the handler's own, typed, side).
 */
export type Route<DB, P extends EventType = EventType> = (
  | {
      kind: 'each';
      event: EventType;
      handler: (event: ProcessedEvent<unknown>, ctx: EventInvocation<DB>) => Promise<void>;
    }
  | {
      kind: 'batch';
      event: EventType;
      handler: (events: ProcessedEvent<unknown>[], ctx: BatchInvocation<DB>) => Promise<void>;
    }
) & { options: RouteOptions; readonly [publishes]?: P };

/**
 * What `routes` of a declaration gets to build its routing table with, bound to the processor's
 * database `DB` and published event types `P`: a handler written inline sees exactly those; one
 * written elsewhere (typed with its own `P`, see `EventHandlerFor`) is accepted only if the
 * processor publishes everything it may publish.
 */
export interface RouteBuilders<DB, P extends EventType> {
  /** Handle each new event on its own (still inside the sub-batch's one transaction). */
  on<E extends EventType>(event: E, handler: EventHandler<E, DB, P>, options?: RouteOptions): Route<DB, P>;
  /** Handle every new event of a run of this type at once, for set-based writes (one upsert for N rows). */
  onBatch<E extends EventType>(
    event: E,
    handler: BatchHandler<E, DB, P>,
    options?: RouteOptions,
  ): Route<DB, P>;
}

export function routeBuilders<DB, P extends EventType>(): RouteBuilders<DB, P> {
  return { on, onBatch } as RouteBuilders<DB, P>;
}

function on<DB>(
  event: EventType,
  handler: EventHandler<EventType, DB, EventType>,
  options: RouteOptions = {},
): Route<DB> {
  return { kind: 'each', event, options, handler: (e, ctx) => handler(e, eventContext(ctx)) };
}

function onBatch<DB>(
  event: EventType,
  handler: BatchHandler<EventType, DB, EventType>,
  options: RouteOptions = {},
): Route<DB> {
  return { kind: 'batch', event, options, handler: (events, ctx) => handler(events, batchContext(ctx)) };
}

type UntypedPublish = (
  type: EventType,
  data: unknown,
  options?: PublishOptions & { cause?: unknown },
) => Promise<string>;

function eventContext<DB>(ctx: EventInvocation<DB>): HandlerContext<DB, EventType> {
  const publish: UntypedPublish = async (type, data, options = {}) => {
    const { cause, ...rest } = options;
    if (cause !== undefined)
      throw new PermanentError(
        `publish(${type.type}) was given a cause in a handler of one event: its follow-ons descend from that event`,
      );
    return ctx.publish(type, data, rest);
  };
  return { db: ctx.db, log: ctx.log, meter: ctx.meter, isReplay: ctx.isReplay, publish };
}

function batchContext<DB>(ctx: BatchInvocation<DB>): BatchContext<DB, EventType> {
  const publish: UntypedPublish = async (type, data, options = {}) => {
    const { cause, ...rest } = options;
    if (!isEvent(cause))
      throw new PermanentError(
        `publish(${type?.type}) in a batch handler needs options.cause: the event of the batch the follow-on descends from`,
      );
    return ctx.publish(cause, type, data, rest);
  };
  return { db: ctx.db, log: ctx.log, meter: ctx.meter, isReplay: ctx.isReplay, publish };
}

const isEvent = (cause: unknown): cause is ProcessedEvent<unknown> =>
  typeof (cause as ProcessedEvent<unknown> | undefined)?.meta?.id === 'string';
