import { createHash, randomUUID } from 'node:crypto';
import { type EventType, EventValidationError } from '@fleet/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientOf } from '../auth/authenticate.ts';
import { HttpError } from '../http-error.ts';
import type { StoredResponse } from '../idempotency/idempotency-store.ts';
import { requestFingerprint } from '../idempotency/request-fingerprint.ts';
import { runIdempotent } from '../idempotency/run-idempotent.ts';
import { uuidV5 } from '../uuid-v5.ts';
import type { RouteDeps } from './route-context.ts';

/** IDs a command needs: name-based on the Idempotency-Key (a retry gets the same ones), else random. */
export type IdSource = (name: 'eventId' | 'orderId') => string;

export interface Command {
  /** Method and URL pattern, e.g. `POST /orders/:orderId/cancel`. */
  route: string;
  /** The validated input (params and body) that defines "the same request". */
  input: unknown;
  execute(ids: IdSource): Promise<StoredResponse>;
}

/** Runs a command under the request's Idempotency-Key (if any) and sends its response. */
export async function executeCommand(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: RouteDeps,
  command: Command,
): Promise<FastifyReply> {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') {
    const response = await command.execute(() => randomUUID());
    return reply.code(response.statusCode).send(response.body);
  }
  // Scoped to the verified client: another client's identical key is another request, with other IDs.
  const { clientId } = clientOf(request);
  const base = [`client:${clientId}`, command.route, key].join('\u0000');
  const ids: IdSource = (name) => uuidV5(`${base}\u0000${name}`);
  const { response, replayed } = await runIdempotent(
    deps.idempotencyStore,
    {
      key: `${clientId}:${createHash('sha256').update(base).digest('base64url')}`,
      fingerprint: requestFingerprint({ route: command.route, input: command.input }),
    },
    () => command.execute(ids),
    (error) =>
      request.log.warn({ err: error }, 'idempotency store failed; a retry may publish again (same event ID)'),
  );
  if (replayed) {
    deps.metrics.replays.inc({ route: command.route });
    reply.header('idempotent-replayed', 'true');
  }
  return reply.code(response.statusCode).send(response.body);
}

/**
 * Publishes one event with the request's correlation ID and the client that sent it (header
 * `intake-client-id`, for audits downstream); producer failures become HTTP errors.
 */
export async function publishEvent<T>(
  request: FastifyRequest,
  deps: RouteDeps,
  eventType: EventType<T>,
  data: T,
  eventId: string,
): Promise<void> {
  try {
    await deps.publisher.publish(eventType, data, {
      id: eventId,
      correlationId: request.id,
      headers: { 'intake-client-id': clientOf(request).clientId },
    });
  } catch (error) {
    if (error instanceof EventValidationError) {
      // The HTTP schema accepted what the event contract refuses: the schemas drifted apart.
      request.log.warn({ err: error }, 'request passed HTTP validation but not the event contract');
      throw new HttpError('VALIDATION_FAILED', 'The request does not satisfy the event contract.', {
        issues: error.issues.map((i) => ({ path: i.path ? `body.${i.path}` : 'body', message: i.message })),
        cause: error,
      });
    }
    throw new HttpError(
      'UNAVAILABLE',
      'The event could not be published. Retry with the same Idempotency-Key; it will not be duplicated.',
      { retryAfterSeconds: 1, cause: error },
    );
  }
  deps.metrics.published.inc({ type: eventType.type });
  request.log.info({ eventId, eventType: eventType.type }, 'event published');
}
