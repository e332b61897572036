import { randomUUID } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
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
import { sendError, toErrorResponse } from './error-response.ts';
import { HttpError } from './http-error.ts';
import type { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { IntakeMetrics } from './intake-metrics.ts';
import { cancelOrderRoute } from './routes/cancel-order-route.ts';
import { clientScope } from './routes/execute-command.ts';
import { opsRoutes, type ReadinessCheck } from './routes/ops-routes.ts';
import { placeOrderRoute } from './routes/place-order-route.ts';
import type { EventPublisher, IntakeApp } from './routes/route-context.ts';

export interface AppDeps {
  publisher: EventPublisher;
  idempotencyStore: IdempotencyStore;
  logger: FastifyBaseLogger;
  /** Named checks behind /readyz (Kafka producer, registry, Redis, shutdown...). */
  readinessChecks?: Record<string, ReadinessCheck>;
  metrics?: IntakeMetrics;
  /** Shares rate-limit counters between replicas; in-process counters without it. */
  redis?: Redis;
  redisPrefix?: string;
  bodyLimit?: number;
  trustProxy?: boolean;
  rateLimit?: { max: number; windowMs: number };
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
  const rateLimit = deps.rateLimit ?? { max: 100, windowMs: 60_000 };
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    trustProxy: deps.trustProxy ?? false,
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

  app.setErrorHandler((error, request, reply) => {
    metrics.rejected.inc({ code: toErrorResponse(error).body.error });
    return sendError(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(new HttpError(404, 'NOT_FOUND', `No route ${request.method} ${request.url}.`), request, reply),
  );
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
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  if (deps.docs ?? true) await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // After the docs (their static files are not worth a client's budget), before the API routes.
  await app.register(fastifyRateLimit, {
    global: true,
    max: rateLimit.max,
    timeWindow: rateLimit.windowMs,
    ...(deps.redis
      ? { redis: deps.redis, nameSpace: `${deps.redisPrefix ?? 'order-intake:'}rate-limit:` }
      : {}),
    // A Redis outage must not stop orders: the idempotency store reports it where it matters.
    skipOnError: true,
    keyGenerator: (request) => {
      const scope = clientScope(request, apiKeyHeader);
      return scope === 'anonymous' ? `ip:${request.ip}` : scope;
    },
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        context.statusCode,
        'RATE_LIMITED',
        `Rate limit exceeded: at most ${context.max} requests per ${Math.round(rateLimit.windowMs / 1000)} s per client. Retry in ${context.after}.`,
        { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) },
      ),
  });

  opsRoutes(app, { readinessChecks: deps.readinessChecks ?? {}, metrics });
  const routeDeps = {
    publisher: deps.publisher,
    idempotencyStore: deps.idempotencyStore,
    metrics,
    apiKeyHeader,
  };
  placeOrderRoute(app, routeDeps);
  cancelOrderRoute(app, routeDeps);
  await app.ready();
  return app;
}
