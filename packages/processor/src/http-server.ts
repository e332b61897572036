import Fastify, { type FastifyInstance } from 'fastify';
import type { Telemetry } from './telemetry.ts';

export interface Readiness {
  /** Named checks; the service is ready when all pass. */
  check(): Promise<Record<string, { ok: boolean; detail?: string }>>;
}

/** Health, readiness and metrics: what an orchestrator and Prometheus ask of every service. */
export function createOpsServer(readiness: Readiness, telemetry: Telemetry): FastifyInstance {
  const app = Fastify({ logger: false });
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
  return app;
}
