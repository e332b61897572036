import type { EventType } from '@fleet/contracts';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { BatchHandler, EventHandler, ScheduleContext } from './handler-context.ts';

export interface RouteOptions {
  /** Attempts before an event whose handler keeps failing goes to the dead-letter topic. */
  maxAttempts?: number;
}

/** One line of the routing table: an event type, its handler and its policies. */
export type Route<DB> =
  | { kind: 'each'; event: EventType<unknown>; handler: EventHandler<unknown, DB>; options: RouteOptions }
  | { kind: 'batch'; event: EventType<unknown>; handler: BatchHandler<unknown, DB>; options: RouteOptions };

/** Handle each new event on its own (still inside the sub-batch's one transaction). */
export function on<T, DB>(
  event: EventType<T>,
  handler: EventHandler<T, DB>,
  options: RouteOptions = {},
): Route<DB> {
  return { kind: 'each', event, handler, options } as Route<DB>;
}

/** Handle every new event of a run of this type at once, for set-based writes (one upsert for N rows). */
export function onBatch<T, DB>(
  event: EventType<T>,
  handler: BatchHandler<T, DB>,
  options: RouteOptions = {},
): Route<DB> {
  return { kind: 'batch', event, handler, options } as Route<DB>;
}

/**
 * Work on a clock rather than on an event (timeouts, expiries): every `everyMs`, in one transaction
 * on one instance at a time (a PostgreSQL advisory lock), its follow-ons through the outbox. Not run
 * while replaying (a rebuild).
 */
export interface Schedule<DB> {
  name: string;
  everyMs: number;
  run(ctx: ScheduleContext<DB>): Promise<void>;
}

/**
 * A processor service in one declaration: read it and you know every topic → handler and its policies.
 * Topics to subscribe to follow from the routed event types.
 */
export interface ProcessorDefinition<DB> {
  /** Lower-case name; also the consumer group, the Postgres schema and the source of follow-on events. */
  name: string;
  routes: Route<DB>[];
  /** Kysely migrations of the processor's own tables; they run in its schema (search_path). */
  migrations: Record<string, Migration>;
  /** Event types the processor publishes (registered in the Schema Registry at start-up). */
  publishes?: EventType<unknown>[];
  /** Work on a clock (see {@link Schedule}). */
  schedules?: Schedule<DB>[];
  /** Default `<name>.dlq`. */
  deadLetterTopic?: string;
  /** Default HTTP port for health, readiness and metrics (HTTP_PORT overrides). */
  httpPort?: number;
  /** The service's own routes (query APIs) on the same server, reading through the processor's pool. */
  http?: (app: FastifyInstance, deps: { db: Kysely<DB> }) => void | Promise<void>;
}

/**
 * PostgreSQL cuts identifiers at 63 bytes, so two long names would meet as one schema: the longest
 * suffix a rebuild adds (`__rolled_back`, 13) must fit after the name.
 */
export const MAX_SCHEMA_NAME_LENGTH = 63 - '__rolled_back'.length;

export function defineProcessor<DB>(definition: ProcessorDefinition<DB>): ProcessorDefinition<DB> {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name))
    throw new Error(
      `processor name "${definition.name}" must be lower case letters, digits and _ (it names a schema)`,
    );
  if (definition.name.length > MAX_SCHEMA_NAME_LENGTH)
    throw new Error(
      `processor name "${definition.name}" is ${definition.name.length} characters long, at most ${MAX_SCHEMA_NAME_LENGTH}: it names a schema, and the schemas of its rebuilds add up to 13 more within PostgreSQL's 63`,
    );
  const seen = new Set<string>();
  for (const route of definition.routes) {
    if (seen.has(route.event.type))
      throw new Error(
        `processor ${definition.name} routes ${route.event.type} twice; one handler per event type`,
      );
    seen.add(route.event.type);
  }
  return definition;
}

export const deadLetterTopicOf = (definition: ProcessorDefinition<unknown>) =>
  definition.deadLetterTopic ?? `${definition.name}.dlq`;
