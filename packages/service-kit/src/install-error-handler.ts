import { FleetError } from '@fleet/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorReply, errorReply } from './error-reply.ts';

/** What the handler needs of an app: any Fastify instance, whatever its logger and type provider. */
export interface ErrorHandlingApp {
  setErrorHandler(handler: (error: Error, request: FastifyRequest, reply: FastifyReply) => unknown): unknown;
  setNotFoundHandler(handler: (request: FastifyRequest, reply: FastifyReply) => unknown): unknown;
}

export interface ErrorHandlerOptions {
  /** Told of every error answer (metrics by code, an audit), after it is decided and before it is sent. */
  onErrorReply?: (request: FastifyRequest, reply: ErrorReply, error: unknown) => void;
}

/**
 * Gives an app (and every plugin scope under it that does not set its own) the fleet's error answers:
 * `{ "error": { "code", "message", "details"? } }` with the status of the code (see `errorReply`),
 * unknown routes included (404 NOT_FOUND). An unexpected error is logged with its stack and answered
 * 500 "internal error"; a refused request is logged at info with its code.
 */
export function installErrorHandler(app: ErrorHandlingApp, options: ErrorHandlerOptions = {}): void {
  const send = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = errorReply(error);
    if (!answer.expected) request.log.error({ err: error }, 'request failed');
    else if (answer.status >= 500) request.log.warn({ err: error }, 'request failed');
    else
      request.log.info(
        { code: answer.body.error.code, details: answer.body.error.details },
        'request refused',
      );
    options.onErrorReply?.(request, answer, error);
    if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
    return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body);
  };
  app.setErrorHandler((error, request, reply) => send(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    send(
      new FleetError('NOT_FOUND', `No route ${request.method} ${request.url.slice(0, 200)}.`),
      request,
      reply,
    ),
  );
}
