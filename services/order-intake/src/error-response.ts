import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpError } from './http-error.ts';
import type { ErrorResponse, ValidationIssue } from './schemas.ts';

/** Fastify's validation error items: `instancePath` is `/lines/0/quantity`, `/` for the root. */
interface ValidationItem {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Every failing field as `{ path, message }`, the path prefixed with where it is (body, params, headers). */
export function validationIssues(context: string, items: readonly ValidationItem[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const item of items) {
    const segments = item.instancePath.split('/').filter(Boolean);
    const at = (extra: string[]) => [context, ...segments, ...extra].join('.');
    const keys = item.params.keys;
    if (item.keyword === 'unrecognized_keys' && Array.isArray(keys))
      for (const key of keys) issues.push({ path: at([String(key)]), message: 'unknown field' });
    else issues.push({ path: at([]), message: item.message ?? 'invalid' });
  }
  return issues;
}

/** Maps any error to the service's JSON error shape (and the status that goes with it). */
export function toErrorResponse(error: unknown): { statusCode: number; body: ErrorResponse } {
  if (error instanceof HttpError) {
    const body: ErrorResponse = { error: error.code, message: error.message };
    if (error.issues) body.issues = error.issues;
    if (error.retryAfterSeconds !== undefined) body.retryAfterSeconds = error.retryAfterSeconds;
    return { statusCode: error.statusCode, body };
  }
  const fe = error as Partial<FastifyError>;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = validationIssues(fe.validationContext ?? 'body', error.validation);
    return {
      statusCode: 400,
      body: {
        error: 'VALIDATION_FAILED',
        message: `The request is invalid (${issues.length} problem(s)); see issues. Nothing was published.`,
        issues,
      },
    };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        statusCode: 413,
        body: { error: 'PAYLOAD_TOO_LARGE', message: `${fe.message}. Send a smaller body.` },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        statusCode: 415,
        body: {
          error: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'Send a JSON body with Content-Type: application/json.',
        },
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        statusCode: 400,
        body: { error: 'INVALID_JSON', message: fe.message ?? 'The body is not valid JSON.' },
      };
  }
  // Fastify's JSON parser reports a syntax error as a 400 SyntaxError without a code.
  if (fe.statusCode === 400 && error instanceof SyntaxError)
    return {
      statusCode: 400,
      body: { error: 'INVALID_JSON', message: `The body is not valid JSON: ${fe.message}` },
    };
  if (fe.statusCode === 404)
    return { statusCode: 404, body: { error: 'NOT_FOUND', message: 'No such route.' } };
  return {
    statusCode: 500,
    body: { error: 'INTERNAL', message: 'Internal error; it was logged. Retry later.' },
  };
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { statusCode, body } = toErrorResponse(error);
  if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ error: body.error, issues: body.issues }, 'request refused');
  if (body.retryAfterSeconds !== undefined) reply.header('retry-after', String(body.retryAfterSeconds));
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}
