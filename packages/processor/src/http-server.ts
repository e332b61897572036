import { installErrorHandler } from '@fleet/service-kit';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type AdminOperations, registerAdminApi } from './admin/admin-api.ts';
import type { Telemetry } from './telemetry.ts';

export interface Readiness {
  /** Named checks; the service is ready when all pass. */
  check(): Promise<Record<string, { ok: boolean; detail?: string }>>;
}

export interface ServiceDocuments {
  /** The AsyncAPI document of the topics and events this service reads and writes. */
  asyncApiYaml(): string;
}

/**
 * Health, readiness, metrics and the token-protected admin endpoints of every processor service, and
 * the fleet's error answers for them and for the service's own routes (service-kit's
 * `installErrorHandler`). Errors are logged through `logger` (what a 500 hides is there); requests
 * themselves are not (probes and scrapes every few seconds would drown the log).
 */
export function createOpsServer(
  readiness: Readiness,
  telemetry: Telemetry,
  admin: AdminOperations,
  documents: ServiceDocuments,
  logger?: FastifyBaseLogger,
): FastifyInstance {
  const app = logger
    ? Fastify({ loggerInstance: logger, disableRequestLogging: true })
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
  app.get('/asyncapi.yaml', async (_req, reply) =>
    reply.type('application/yaml').send(documents.asyncApiYaml()),
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks = await readiness.check();
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', (req, reply) => {
    reply.hijack();
    telemetry.prometheus.getMetricsRequestHandler(req.raw, reply.raw);
  });

  registerAdminApi(app, admin);
  return app;
}
