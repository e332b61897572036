import { installErrorHandler } from '@fleet/service-kit';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type AdminOperations, registerAdminApi } from './admin/admin-api.ts';
import type { AdminGuardOptions } from './admin/admin-guard.ts';
import type { Telemetry } from './telemetry.ts';

export interface Readiness {
  /** Named checks; the service is ready when all pass. */
  check(): Promise<Record<string, { ok: boolean; detail?: string }>>;
}

export interface ServiceDocuments {
  /** The AsyncAPI document of the topics and events this service reads and writes. */
  asyncApiYaml(): string;
}

export interface InternalServerParts {
  readiness: Readiness;
  telemetry: Telemetry;
  admin: AdminOperations;
  guard: AdminGuardOptions;
  documents: ServiceDocuments;
}

/**
 * A server with the fleet's error answers (service-kit's `installErrorHandler`). Errors are logged
 * through `logger` (what a 500 hides is there); requests themselves are not (probes and scrapes every
 * few seconds would drown the log).
 */
function fleetServer(logger: FastifyBaseLogger | undefined): FastifyInstance {
  const app = logger
    ? Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) })
    : Fastify({ logger: false });
  installErrorHandler(app);
  // The HTTP server span (when tracing is on) is named after the route, as `GET /orders/:orderId`.
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    const span = route ? trace.getActiveSpan() : undefined;
    if (!span || !route) return;
    span.updateName(`${request.method} ${route}`);
    span.setAttribute('http.route', route);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

/**
 * The internal listener of every processor (INTERNAL_HTTP_HOST/PORT, loopback unless told otherwise):
 * health, readiness, metrics, the AsyncAPI document and the token-protected admin API. Operators, the
 * console, Prometheus and probes come here; the public never should (a network policy keeps it so).
 */
export function createInternalServer(
  parts: InternalServerParts,
  logger?: FastifyBaseLogger,
): FastifyInstance {
  const app = fleetServer(logger);
  app.get('/asyncapi.yaml', async (_req, reply) =>
    reply.type('application/yaml').send(parts.documents.asyncApiYaml()),
  );
  app.get('/readyz', async (_req, reply) => {
    const checks = await parts.readiness.check();
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', (req, reply) => {
    reply.hijack();
    parts.telemetry.prometheus.getMetricsRequestHandler(req.raw, reply.raw);
  });
  registerAdminApi(app, parts.admin, parts.guard);
  return app;
}

/**
 * The public listener (HTTP_HOST/PORT): the service's own routes (its query API, added by the
 * definition's `http`) and `/healthz`, nothing of the operators'.
 */
export function createPublicServer(logger?: FastifyBaseLogger): FastifyInstance {
  return fleetServer(logger);
}
