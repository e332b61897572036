import { type ErrorBody, errorBody, errorBodyOf, FleetError, internalErrorMessage } from '@fleet/errors';
import { describeIssues, fieldIssuesOf, type ValidationItem } from './field-issues.ts';

/** What an HTTP API answers for an error: status, the fleet's error body, and Retry-After when it has one. */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
  retryAfterSeconds?: number;
  /** False for the 500 of an error nobody expected: its detail belongs in the log only. */
  expected: boolean;
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

const bodyParserErrors: Record<string, ErrorReply> = {
  FST_ERR_CTP_BODY_TOO_LARGE: reply(413, 'PAYLOAD_TOO_LARGE', 'The body is too large. Send a smaller body.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: reply(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Send a JSON body with Content-Type: application/json.',
  ),
};

function reply(status: number, code: 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE', message: string) {
  return { status, body: errorBody(code, message), expected: true };
}

/**
 * Maps anything a route, a hook or Fastify itself threw to the fleet's answer: a FleetError to its
 * code's status; a request that failed its schema to 400 VALIDATION_FAILED with every failing field;
 * a body Fastify could not read to INVALID_JSON / PAYLOAD_TOO_LARGE / UNSUPPORTED_MEDIA_TYPE; another
 * 4xx of the framework or a plugin to BAD_REQUEST (NOT_FOUND for a 404) with its status; anything
 * else to 500 INTERNAL, "internal error", nothing more.
 */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof FleetError) {
    const retry = (error.details as { retryAfterSeconds?: unknown } | null | undefined)?.retryAfterSeconds;
    return {
      status: error.httpStatus,
      body: errorBodyOf(error),
      expected: true,
      ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}),
    };
  }
  const e = (error ?? {}) as FrameworkError;
  if (Array.isArray(e.validation)) {
    const context = typeof e.validationContext === 'string' ? e.validationContext : 'body';
    const issues = fieldIssuesOf(context, e.validation as ValidationItem[]);
    return {
      status: 400,
      body: errorBody('VALIDATION_FAILED', describeIssues(context, issues), issues),
      expected: true,
    };
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  const known = code === undefined ? undefined : bodyParserErrors[code];
  if (known) return known;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  // Fastify's JSON parser reports a syntax error as a 400 SyntaxError without a code.
  if (
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ||
    (status === 400 && error instanceof SyntaxError)
  )
    return {
      status: 400,
      body: errorBody('INVALID_JSON', `The body is not valid JSON: ${message}`),
      expected: true,
    };
  // A client error of the framework or a plugin (a bad URL, a malformed header): its message is meant
  // for the client, as Fastify's own handler would send it.
  if (status >= 400 && status < 500)
    return {
      status,
      body: errorBody(status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message || 'bad request'),
      expected: true,
    };
  return { status: 500, body: errorBody('INTERNAL', internalErrorMessage), expected: false };
}
