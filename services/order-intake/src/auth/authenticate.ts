import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.ts';
import type { IntakeMetrics } from '../intake-metrics.ts';
import type { ApiKeyRegistry, ClientIdentity } from './api-key-registry.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller of a command route (set by `authenticate`). */
    client: ClientIdentity | null;
  }
}

export interface AuthDeps {
  registry: ApiKeyRegistry;
  /** Lower-case name of the header that carries the key. */
  header: string;
  metrics: IntakeMetrics;
}

/**
 * onRequest hook of the command routes: the key in `header` must be one the operator issued, or the
 * request ends here with 401 before its body is read. A failure is logged (reason and address, never
 * the presented value) and counted by reason, so a key-guessing client shows up in /metrics.
 */
export function authenticate(deps: AuthDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const presented = request.headers[deps.header];
    const client = typeof presented === 'string' ? deps.registry.verify(presented) : undefined;
    if (client) {
      request.client = client;
      return;
    }
    const reason = presented === undefined || presented === '' ? 'missing' : 'unknown';
    deps.metrics.authFailures.inc({ reason });
    request.log.warn({ reason, ip: request.ip, header: deps.header }, 'authentication failed');
    throw new HttpError(
      'UNAUTHORIZED',
      reason === 'missing'
        ? `Send your API key in the ${deps.header} header.`
        : `The API key in the ${deps.header} header is not valid. Check it, or ask the operator for a new one.`,
    );
  };
}

/** The caller of a command route; its hooks guarantee one. */
export function clientOf(request: FastifyRequest): ClientIdentity {
  if (!request.client) throw new Error('a command route ran without the authenticate hook');
  return request.client;
}
