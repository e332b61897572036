import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AdminOperations } from '../admin/admin-api.ts';
import type { ProcessorDefinition } from '../define-processor.ts';
import { createOpsServer } from '../http-server.ts';
import type { Telemetry } from '../telemetry.ts';

/** The admin API as an instance without FLEET_ADMIN_TOKEN serves it: every endpoint answers 403. */
const adminOff = new Proxy({ token: undefined } as AdminOperations, {
  get: (target, key) =>
    key in target
      ? target[key as keyof AdminOperations]
      : () => Promise.reject(new Error('admin API is off')),
});

const noMetrics = {
  prometheus: { getMetricsRequestHandler: (_req: unknown, res: { end(): void }) => res.end() },
} as unknown as Telemetry;

/**
 * A service's HTTP server as the runtime builds it (ops routes, the admin API off, the fleet's error
 * answers) with the service's own routes, for `inject`: its error answers can be tested without a
 * running processor.
 */
export async function serviceHttp<DB>(
  http: NonNullable<ProcessorDefinition<DB>['http']>,
  db: Kysely<DB>,
  logger?: FastifyBaseLogger,
): Promise<FastifyInstance> {
  const app = createOpsServer(
    { check: async () => ({}) },
    noMetrics,
    adminOff,
    { asyncApiYaml: () => '' },
    logger,
  );
  await http(app, { db });
  await app.ready();
  return app;
}

/** A database nobody listens for (port 1): every query fails as a lost PostgreSQL would, at once. */
export function unreachableDatabase<DB>(): Kysely<DB> {
  const pool = new pg.Pool({ connectionString: 'postgres://fleet:secret@127.0.0.1:1/nowhere', max: 1 });
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
