import { type ErrorCode, FleetError } from '@fleet/errors';
import type { FieldIssue } from '@fleet/service-kit';

/**
 * An error the intake answers with: a code from the catalogue (its HTTP status comes from there), a
 * message saying what to do, and as `details` the failing fields or when to retry (Retry-After).
 */
export class HttpError extends FleetError {
  constructor(
    code: ErrorCode,
    message: string,
    extra: { issues?: FieldIssue[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    const details =
      extra.issues ??
      (extra.retryAfterSeconds === undefined ? undefined : { retryAfterSeconds: extra.retryAfterSeconds });
    super(code, message, { details, ...('cause' in extra ? { cause: extra.cause } : {}) });
  }
}
