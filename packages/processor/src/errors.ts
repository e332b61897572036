/** Base of the runtime's errors: a stable `code` for logs, metrics and DLQ headers. */
export class ProcessorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

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

/** The stable code of any error: ours, the contracts' (decode/validation) or a driver's. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN';
}
