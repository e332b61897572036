import type { EventType } from '@fleet/contracts';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { definitionProblems } from './definition-problems.ts';
import { ProcessorError } from './errors.ts';
import type { LockAhead } from './lock-ahead.ts';
import type { ProcessorTypes } from './processor-types.ts';
import { refuseUndeclaredPublishes } from './publishes-guard.ts';
import { type Route, type RouteBuilders, routeBuilders } from './route.ts';
import type { Schedule } from './schedule.ts';

export { MAX_SCHEMA_NAME_LENGTH } from './definition-problems.ts';
export type { LockAhead } from './lock-ahead.ts';
export type { Route, RouteBuilders, RouteOptions } from './route.ts';
export type { Schedule } from './schedule.ts';

/**
 * A processor service in one declaration: read it and you know every topic → handler and its
 * policies, and every event it publishes. Topics to subscribe to follow from the routed event types.
 * Where it runs (its HTTP port…) is deployment, not declaration: see `deployment-settings.ts`.
 */
export interface ProcessorDefinition<DB, P extends EventType = EventType> extends ProcessorTypes<DB, P> {
  /** Lower-case name; also the consumer group, the Postgres schema and the source of follow-on events. */
  name: string;
  routes: Route<DB, P>[];
  /** Kysely migrations of the processor's own tables; they run in its schema (search_path). */
  migrations: Record<string, Migration>;
  /**
   * Event types the processor publishes (registered in the Schema Registry at start-up). Handlers and
   * schedules can publish these and no other: a compile error, and a PermanentError at run time.
   */
  publishes?: readonly P[];
  /** Work on a clock (see {@link Schedule}). */
  schedules?: Schedule<DB, P>[];
  /**
   * Locks the rows a sub-batch's handlers will lock, all at once and in one order, first in its
   * transaction; for handlers of events on several partitions that lock shared rows (see
   * {@link LockAhead}). Advisory: if it fails, the sub-batch is applied without it.
   */
  lockAhead?: LockAhead<DB>;
  /** Default `<name>.dlq`. */
  deadLetterTopic?: string;
  /** The service's own routes (query APIs) on the same server, reading through the processor's pool. */
  http?: (app: FastifyInstance, deps: { db: Kysely<DB> }) => void | Promise<void>;
}

/**
 * What defineProcessor takes: the definition, its routing table built by a function of the route
 * builders (`on`, `onBatch`), which are bound to the processor's types. Being a function is what lets
 * TypeScript know `publishes` before it types the handlers written inline.
 */
export interface ProcessorDeclaration<DB, P extends EventType>
  extends Omit<ProcessorDefinition<DB, P>, 'routes'> {
  routes: (route: RouteBuilders<DB, P>) => Route<DB, P>[];
}

/**
 * Declares a processor whose handlers write `DB`; what they may publish follows from `publishes`:
 *
 * ```ts
 * export const inventory = defineProcessor<InventoryDb>()({
 *   name: 'inventory',
 *   publishes: [StockReserved, StockRejected],
 *   routes: ({ on }) => [on(OrderPlaced, reserveStock), on(OrderCancelled, releaseOnCancel, { maxAttempts: 5 })],
 *   migrations,
 * });
 * ```
 *
 * (Two calls because TypeScript infers no type argument once one is given: `DB` is given, the
 * published event types are inferred.) Throws a ProcessorError (code `PROCESSOR_DEFINITION_INVALID`)
 * listing everything wrong with the definition: its name, routes twice, route policies, schedules.
 */
export function defineProcessor<DB>() {
  return <P extends EventType = never>(
    declaration: ProcessorDeclaration<DB, NoInfer<P>> & { publishes?: readonly P[] },
  ): ProcessorDefinition<DB, P> => {
    const definition: ProcessorDefinition<DB, P> = {
      ...declaration,
      routes: declaration.routes(routeBuilders<DB, P>()),
    };
    const problems = definitionProblems(definition);
    if (problems.length > 0)
      throw new ProcessorError(
        'PROCESSOR_DEFINITION_INVALID',
        `processor ${JSON.stringify(definition.name)} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    return { ...definition, ...refuseUndeclaredPublishes(definition) };
  };
}

export const deadLetterTopicOf = (definition: ProcessorDefinition<unknown>) =>
  definition.deadLetterTopic ?? `${definition.name}.dlq`;
