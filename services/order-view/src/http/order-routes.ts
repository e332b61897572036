import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
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

  // Encapsulated: the zod compilers and the 400 format apply to these routes only, not /healthz etc.
  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    scope.setErrorHandler((error, req, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const where = error.validationContext ?? 'request';
        const issues = error.validation.map((v) => ({
          in: where,
          path: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)',
          message: v.message ?? 'invalid',
        }));
        return reply.code(400).send({
          error: 'Bad Request',
          message: `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          issues,
        });
      }
      req.log.error({ err: error }, 'order-view request failed');
      return reply
        .code(500)
        .send({ error: 'Internal Server Error', message: 'the request failed; see the logs' });
    });

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
      async (req, reply) => {
        const order = await findOrder(db, req.params.id);
        if (!order)
          return reply.code(404).send({ error: 'Not Found', message: `order ${req.params.id} is unknown` });
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
      async (req, reply) => {
        const { status, customerId, limit, cursor } = req.query;
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        if (cursor !== undefined && !after)
          return reply.code(400).send({
            error: 'Bad Request',
            message: 'invalid querystring: cursor: not a cursor returned by this API',
            issues: [{ in: 'querystring', path: 'cursor', message: 'not a cursor returned by this API' }],
          });
        return listOrders(db, { status, customerId, limit, after });
      },
    );
  });
}
