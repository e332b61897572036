import type { EventType } from '@fleet/contracts';
import type { BatchHandler, EventHandler, HandlerContext, ScheduleContext } from './handler-context.ts';
import type { Schedule } from './schedule.ts';

// Type-level only: never set on any object.
declare const handlerTypes: unique symbol;

/**
 * What a processor's handlers see, as types: its database `DB` and the event types `P` it publishes.
 * A definition is one (`typeof definition`); handlers in files of their own, which the definition
 * imports, name the same pair without importing the definition (that would be a cycle):
 *
 * ```ts
 * export type Inventory = ProcessorTypes<InventoryDb, typeof StockReserved | typeof StockRejected>;
 * export const reserveStock: EventHandlerFor<Inventory, typeof OrderPlaced> = async (event, ctx) => …;
 * ```
 *
 * A handler typed so may publish only those event types, and a route accepts it only if the
 * processor's `publishes` lists them all.
 */
export interface ProcessorTypes<DB, P extends EventType = never> {
  readonly [handlerTypes]?: { db: DB; publishes: P };
}

/** The database of the processor `T`. */
export type DbOf<T> = T extends ProcessorTypes<infer DB, EventType> ? DB : never;
/** The event types the processor `T` publishes (a union). */
export type PublishesOf<T> = T extends ProcessorTypes<unknown, infer P extends EventType> ? P : never;

/** A handler of one event of type `E` (`typeof OrderPlaced`) for the processor `T`. */
export type EventHandlerFor<T, E extends EventType> = EventHandler<E, DbOf<T>, PublishesOf<T>>;

/** A batch handler of events of type `E` for the processor `T`. */
export type BatchHandlerFor<T, E extends EventType> = BatchHandler<E, DbOf<T>, PublishesOf<T>>;

/** The context of the processor `T`'s handlers of one event (for code they share). */
export type ContextFor<T> = HandlerContext<DbOf<T>, PublishesOf<T>>;

/** The context of the processor `T`'s schedules. */
export type ScheduleContextFor<T> = ScheduleContext<DbOf<T>, PublishesOf<T>>;

/** A schedule of the processor `T`. */
export type ScheduleFor<T> = Schedule<DbOf<T>, PublishesOf<T>>;
