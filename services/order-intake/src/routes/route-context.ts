import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { EventType } from '@fleet/contracts';
import type { PublishOptions } from '@fleet/producer';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IdempotencyStore } from '../idempotency/idempotency-store.ts';
import type { IntakeMetrics } from '../intake-metrics.ts';
import type { OrderOwners } from '../orders/order-owners.ts';

/** The Fastify instance every route module receives: zod schemas give typed bodies and params. */
export type IntakeApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What publishes events: the producer SDK's `publish` (a recording fake in unit tests). */
export interface EventPublisher {
  publish<T>(eventType: EventType<T>, data: T, options?: PublishOptions): Promise<string>;
}

export interface RouteDeps {
  publisher: EventPublisher;
  idempotencyStore: IdempotencyStore;
  metrics: IntakeMetrics;
  /** Which client each order belongs to (a client may cancel only its own). */
  orderOwners: OrderOwners;
}
