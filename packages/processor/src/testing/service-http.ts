import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ProcessorDefinition } from '../define-processor.ts';
import { createPublicServer } from '../http-server.ts';

/**
 * A service's public listener as the runtime builds it (its own routes, /healthz, the fleet's error
 * answers), for `inject`: its answers can be tested without a running processor.
 */
export async function serviceHttp<DB>(
  http: NonNullable<ProcessorDefinition<DB>['http']>,
  db: Kysely<DB>,
  logger?: FastifyBaseLogger,
): Promise<FastifyInstance> {
  const app = createPublicServer(logger);
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
