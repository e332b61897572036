import { type ErrorCode, errorSpec } from './error-catalogue.ts';
import type { ExitCodeValue } from './error-spec.ts';

export interface FleetErrorOptions {
  cause?: unknown;
  /** Structured context for `--json` and HTTP bodies (what the catalogue entry's `details` says). */
  details?: unknown;
}

/**
 * Base of every error the fleet throws: a `code` from the catalogue (match on it; it never changes),
 * a message that says what was wrong and what to do, and optional structured `details`. The HTTP
 * status and the exit code come from the catalogue, so every front end reports a code the same way.
 */
export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: FleetErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** The status an HTTP API answers with for this error. */
  get httpStatus(): number {
    return errorSpec(this.code).httpStatus;
  }

  /** What the CLI (or a service's main) exits with for this error. */
  get exitCode(): ExitCodeValue {
    return errorSpec(this.code).exitCode;
  }
}
