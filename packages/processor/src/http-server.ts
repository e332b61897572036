import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Telemetry } from './telemetry.ts';

export interface Readiness {
  /** Named checks; the service is ready when all pass. */
  check(): Promise<Record<string, { ok: boolean; detail?: string }>>;
}

export interface ServiceDocuments {
  /** The AsyncAPI document of the topics and events this service reads and writes. */
  asyncApiYaml(): string;
}

export interface AdminOperations {
  /** Bearer token; without one configured the admin endpoints answer 403. */
  token: string | undefined;
  status(): Promise<unknown>;
  /** Pauses or resumes every instance of the processor (acknowledged through the control tables). */
  pause(paused: boolean, by: string): Promise<void>;
}

/** Health, readiness, metrics and the token-protected admin endpoints of every processor service. */
export function createOpsServer(
  readiness: Readiness,
  telemetry: Telemetry,
  admin: AdminOperations,
  documents: ServiceDocuments,
): FastifyInstance {
  const app = Fastify({ logger: false });
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

  app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => authorize(admin.token, req, reply));
    scope.get('/admin/status', () => admin.status());
    scope.post('/admin/pause', async (_req, reply) => {
      await admin.pause(true, 'admin-api');
      return reply.code(202).send({ requested: 'pause' });
    });
    scope.post('/admin/resume', async (_req, reply) => {
      await admin.pause(false, 'admin-api');
      return reply.code(202).send({ requested: 'resume' });
    });
  });
  return app;
}

async function authorize(token: string | undefined, req: FastifyRequest, reply: FastifyReply) {
  if (!token)
    return reply
      .code(403)
      .send({ error: 'ADMIN_DISABLED', message: 'set FLEET_ADMIN_TOKEN to enable the admin API' });
  // Comparing digests keeps the check constant-time whatever the length of what was sent.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
  const ok = timingSafeEqual(digest(given), digest(token));
  if (!ok) return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'missing or wrong bearer token' });
}
