import type { ErrorCode } from '@fleet/errors';
import { ProcessorError } from '../errors.ts';

/**
 * What went wrong in an operator operation. Both front ends report it from its code's catalogue
 * entry (docs/errors.md): the CLI as an exit code (2 usage, 3 refused, 4 timed out, 1 failed), the
 * admin API as an HTTP status (400, 404, 409, 504, 500).
 */
export class OperationError extends ProcessorError {
  /** Structured context (the plan that was refused, the gaps found) for `--json` and API bodies. */
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message, { details });
  }
}

/** The processor an operation acts on, as registered in `fleet.processors` or known to a running instance. */
export interface OperatedProcessor {
  name: string;
  groupId: string;
  topics: string[];
  dlqTopic: string;
}
