import type { ErrorCode } from './error-catalogue.ts';
import type { FleetError } from './fleet-error.ts';

/**
 * The body of every HTTP error answer in the fleet (intake, query routes, admin API, console):
 * `{ "error": { "code", "message", "details"? } }`. Why this shape: docs/errors.md.
 */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: unknown;
  };
}

/** What an answer says about an error nobody expected: the rest goes to the log only. */
export const internalErrorMessage = 'internal error';

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The body for a FleetError: its code, message and details as they are. */
export const errorBodyOf = (error: FleetError): ErrorBody =>
  errorBody(error.code, error.message, error.details);

/** The `error` member of a body in this shape, or undefined (another shape, not an object, a success). */
export function errorOfBody(body: unknown): { code: string; message: string; details?: unknown } | undefined {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string'
    ? (error as { code: string; message: string; details?: unknown })
    : undefined;
}
