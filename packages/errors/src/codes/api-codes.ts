import { type ErrorSpec, ExitCode } from '../error-spec.ts';

const usage = ExitCode.usage;
const failed = ExitCode.failed;
const fieldList =
  'every failing field: `[{ path, message }]`, the path prefixed with where it is (`body.lines.0.quantity`, `params.orderId`, `querystring.to`)';

/**
 * What the HTTP APIs answer (order-intake, the services' query routes, the processors' admin API,
 * the console), through the shared error handler of `@fleet/service-kit`.
 */
export const apiCodes = {
  VALIDATION_FAILED: {
    description:
      'The request does not match the route’s schema (body, path, query string or headers). Nothing was done.',
    httpStatus: 400,
    exitCode: usage,
    details: fieldList,
  },
  BAD_REQUEST: {
    description:
      'An operator API request (admin API, console) does not match its schema, or a request the HTTP framework itself refused as malformed (then with the 4xx status it chose).',
    httpStatus: 400,
    exitCode: usage,
    details: `for a schema failure, ${fieldList}`,
  },
  INVALID_JSON: {
    description: 'The body is not valid JSON (or is empty, or its Content-Length is wrong).',
    httpStatus: 400,
    exitCode: usage,
  },
  PAYLOAD_TOO_LARGE: {
    description: 'The body exceeds the size limit. Send a smaller body.',
    httpStatus: 413,
    exitCode: usage,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    description: 'The body is not JSON: send it with `Content-Type: application/json`.',
    httpStatus: 415,
    exitCode: usage,
  },
  NOT_FOUND: {
    description: 'No such route, or no such resource (an order, a SKU, a saga…): the message says which.',
    httpStatus: 404,
    exitCode: usage,
  },
  UNAUTHORIZED: {
    description:
      'A missing or wrong credential: the API key (order-intake), the bearer token (admin API, console).',
    httpStatus: 401,
    exitCode: usage,
  },
  FORBIDDEN: {
    description:
      'The caller is known but may not do this (e.g. cancel an order that belongs to another client).',
    httpStatus: 403,
    exitCode: usage,
  },
  ADMIN_DISABLED: {
    description:
      'The admin API is off: set `FLEET_ADMIN_WRITE_TOKEN` and/or `FLEET_ADMIN_READ_TOKEN` (or `FLEET_ADMIN_TOKEN`, a write token) to enable it.',
    httpStatus: 403,
    exitCode: usage,
  },
  ADMIN_READ_ONLY: {
    description:
      'The admin API token is a read token: it reads (status, dead letters, a rebuild’s progress, a replay’s dry run) but changes nothing. Use a write token (`FLEET_ADMIN_WRITE_TOKEN`). The attempt is recorded in `fleet.audit`.',
    httpStatus: 403,
    exitCode: usage,
  },
  AUDIT_UNAVAILABLE: {
    description:
      'A write operation was not done because its audit record (`fleet.audit`) could not be written: PostgreSQL did not answer. Try again once it does.',
    httpStatus: 503,
    exitCode: failed,
  },
  RATE_LIMITED: {
    description: 'Too many requests from this client: retry after `Retry-After` seconds.',
    httpStatus: 429,
    exitCode: failed,
    details: '`{ retryAfterSeconds }`, also sent as the `Retry-After` header',
  },
  ORDER_ID_TAKEN: {
    description:
      'The order ID belongs to another client: send a new `orderId`, or none and the server assigns one.',
    httpStatus: 409,
    exitCode: usage,
  },
  IDEMPOTENCY_KEY_REUSED: {
    description:
      'The `Idempotency-Key` was used before with a different request: use a new key for a new request.',
    httpStatus: 409,
    exitCode: usage,
  },
  IDEMPOTENCY_KEY_IN_PROGRESS: {
    description: 'A request with this `Idempotency-Key` is still being processed: retry after `Retry-After`.',
    httpStatus: 409,
    exitCode: failed,
    details: '`{ retryAfterSeconds }`, also sent as the `Retry-After` header',
  },
  UNAVAILABLE: {
    description:
      'A dependency failed (Kafka, Redis for idempotency keys or order owners): retry, with the same `Idempotency-Key` for a command.',
    httpStatus: 503,
    exitCode: failed,
    details: '`{ retryAfterSeconds }`, also sent as the `Retry-After` header',
  },
  INTERNAL: {
    description:
      'An unexpected error. The answer says only “internal error”; what happened is in the service’s log, with the request’s correlation ID.',
    httpStatus: 500,
    exitCode: failed,
  },
} as const satisfies Record<string, ErrorSpec>;
