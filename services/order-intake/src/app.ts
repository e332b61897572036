import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { installErrorHandler } from '@fleet/service-kit';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { ApiKeyRegistry } from './auth/api-key-registry.ts';
import { authenticate } from './auth/authenticate.ts';
import type { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { IntakeMetrics } from './intake-metrics.ts';
import { MemoryOrderOwners, type OrderOwners } from './orders/order-owners.ts';
import { clientLimit, ipFloor } from './rate-limit/rate-limit-hooks.ts';
import { type Limit, RateLimits } from './rate-limit/rate-limits.ts';
import { cancelOrderRoute } from './routes/cancel-order-route.ts';
import { opsRoutes, type ReadinessCheck } from './routes/ops-routes.ts';
import { placeOrderRoute } from './routes/place-order-route.ts';
import type { EventPublisher, IntakeApp } from './routes/route-context.ts';

export interface AppDeps {
  publisher: EventPublisher;
  idempotencyStore: IdempotencyStore;
  /** The issued API keys: who may call the command routes, and each client's limit. */
  apiKeys: ApiKeyRegistry;
  /** Default: in memory (one replica). */
  orderOwners?: OrderOwners;
  logger: FastifyBaseLogger;
  /** Named checks behind /readyz (Kafka producer, registry, Redis, shutdown...). */
  readinessChecks?: Record<string, ReadinessCheck>;
  metrics?: IntakeMetrics;
  /** Shares rate-limit counters between replicas; in-process counters without it. */
  redis?: Redis;
  redisPrefix?: string;
  bodyLimit?: number;
  /** Addresses and CIDRs of the proxies whose X-Forwarded-For is believed; none by default. */
  trustProxy?: readonly string[];
  /** Per address, whatever key it sends (default 50 per second). */
  ipRateLimit?: Limit;
  apiKeyHeader?: string;
  /** Serve the Swagger UI at /docs (default true). */
  docs?: boolean;
}

const opsPaths = new Set(['/healthz', '/readyz', '/metrics']);
const correlationIdPattern = /^[\x21-\x7e]{1,128}$/;

/** The HTTP API, built from its dependencies so tests can drive it with `inject` and no network. */
export async function buildApp(deps: AppDeps): Promise<IntakeApp> {
  const apiKeyHeader = deps.apiKeyHeader ?? 'x-api-key';
  const metrics = deps.metrics ?? new IntakeMetrics();
  const trustProxy = deps.trustProxy ?? [];
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    // Only listed proxies' X-Forwarded-For counts; from anyone else it is ignored, never believed.
    trustProxy: trustProxy.length > 0 ? [...trustProxy] : false,
    // The caller's X-Correlation-Id (when well-formed) is the request ID: in every log line and on the event.
    genReqId: (req) => {
      const given = req.headers['x-correlation-id'];
      return typeof given === 'string' && correlationIdPattern.test(given) ? given : randomUUID();
    },
    logController: new LogController({
      requestIdLogLabel: 'correlationId',
      // Probes and scrapes every few seconds would drown the request log.
      disableRequestLogging: (request) => opsPaths.has(request.url),
    }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: anything else is a 415 rather than a string that fails validation.
  app.removeContentTypeParser('text/plain');

  // The fleet's error answers (docs/errors.md), each counted by code.
  installErrorHandler(app, {
    onErrorReply: (_request, reply) => metrics.rejected.inc({ code: reply.body.error.code }),
  });
  // The HTTP server span (when tracing is on) is named after the route and carries the correlation ID.
  app.addHook('onRequest', async (request) => {
    const span = trace.getActiveSpan();
    if (!span) return;
    const route = request.routeOptions.url;
    if (route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('fleet.correlation_id', request.id);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.requestSeconds.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'order-intake',
        version: '1.0.0',
        description:
          'Place and cancel orders over HTTP; each accepted command is published to Kafka as a CloudEvent (OrderPlaced v2, OrderCancelled). Send `Idempotency-Key` to make retries safe.',
      },
      tags: [{ name: 'orders', description: 'Order commands' }],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'apiKey',
            in: 'header',
            name: apiKeyHeader,
            description: 'The API key the operator issued to your client.',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  if (deps.docs ?? true) await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  opsRoutes(app, { readinessChecks: deps.readinessChecks ?? {}, metrics });
  const limits = new RateLimits({
    ...(deps.redis ? { redis: deps.redis } : {}),
    prefix: deps.redisPrefix ?? 'order-intake:',
    logger: deps.logger,
    metrics,
  });
  const routeDeps = {
    publisher: deps.publisher,
    idempotencyStore: deps.idempotencyStore,
    metrics,
    orderOwners: deps.orderOwners ?? new MemoryOrderOwners({ ttlMs: 30 * 86_400_000, maxEntries: 100_000 }),
  };
  // The command routes, in a scope of their own: per-address floor, then the API key (401 before the
  // body is read), then the client's budget. Ops routes and the docs are outside all three.
  app.decorateRequest('client', null);
  await app.register(async (commands) => {
    commands.addHook('onRequest', ipFloor(limits, deps.ipRateLimit ?? { max: 50, windowMs: 1000 }));
    commands.addHook('onRequest', authenticate({ registry: deps.apiKeys, header: apiKeyHeader, metrics }));
    commands.addHook('onRequest', clientLimit(limits));
    placeOrderRoute(commands, routeDeps);
    cancelOrderRoute(commands, routeDeps);
  });
  await app.ready();
  return app;
}
