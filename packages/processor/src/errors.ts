import { FleetError } from '@fleet/errors';

/**
 * Base of the runtime's errors: a `code` from the fleet's catalogue (docs/errors.md) for logs,
 * metrics and DLQ headers.
 */
export class ProcessorError extends FleetError {}

/** A handler failed for one event on every attempt. */
export class HandlerFailedError extends ProcessorError {
  readonly attempts: number;
  constructor(eventType: string, attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('HANDLER_FAILED', `handler for ${eventType} failed after ${attempts} attempt(s): ${reason}`, {
      cause,
    });
    this.attempts = attempts;
  }
}

/**
 * The stable code of any error, as `dlq_error_code` and logs carry it: ours (the catalogue's), a
 * driver's (a PostgreSQL SQLSTATE, a Node system code), else the error's class name. Not only the
 * catalogue's codes, so a string.
 */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN';
}
