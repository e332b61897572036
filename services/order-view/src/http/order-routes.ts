import fastifySwagger from '@fastify/swagger';
import { FleetError } from '@fleet/processor';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { ViewDb } from '../view-db.ts';
import { decodeCursor } from './list-cursor.ts';
import { findOrder, listOrders } from './order-queries.ts';
import { listQuery, orderList, orderParams, orderSummary, problem } from './order-schemas.ts';

/**
 * The query API: GET /orders/:id, GET /orders and the OpenAPI 3.1 document at /openapi.json, all
 * generated from the zod schemas (fastify-type-provider-zod + @fastify/swagger, as order-intake).
 */
export async function orderRoutes(app: FastifyInstance, { db }: { db: Kysely<ViewDb> }): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'order-view',
        version: '1.0.0',
        description: 'Order summaries projected from the order, inventory and payment events.',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Encapsulated: the zod compilers apply to these routes only, not /healthz etc. Errors (a request
  // that fails its schema, an unknown order, anything unexpected) are answered by the server's handler
  // in the fleet's shape, docs/errors.md.
  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);

    const api = scope.withTypeProvider<ZodTypeProvider>();
    api.get(
      '/orders/:id',
      {
        schema: {
          summary: 'One order with its lines, totals, status and timeline',
          params: orderParams,
          response: { 200: orderSummary, 400: problem, 404: problem },
        },
      },
      async (req) => {
        const order = await findOrder(db, req.params.id);
        if (!order) throw new FleetError('NOT_FOUND', `order ${req.params.id} is unknown`);
        return order;
      },
    );

    api.get(
      '/orders',
      {
        schema: {
          summary: 'Orders, newest first, filtered and keyset-paginated',
          querystring: listQuery,
          response: { 200: orderList, 400: problem },
        },
      },
      async (req) => {
        const { status, customerId, limit, cursor } = req.query;
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        if (cursor !== undefined && !after)
          throw new FleetError(
            'VALIDATION_FAILED',
            'invalid querystring: cursor: not a cursor returned by this API',
            {
              details: [{ path: 'querystring.cursor', message: 'not a cursor returned by this API' }],
            },
          );
        return listOrders(db, { status, customerId, limit, after });
      },
    );
  });
}
