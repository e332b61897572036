import { ProcessorError } from '../errors.ts';

/**
 * What went wrong in an operator operation, in terms both front ends map: the CLI to an exit code,
 * the admin API to an HTTP status.
 * - `invalid`: the request itself is wrong (a bad offset, a missing selection);
 * - `not-found`: it names something that is not there (a dead letter);
 * - `refused`: it will not go on without the operator acting first (stop the group, confirm, accept a gap);
 * - `timed-out`: instances did not acknowledge in time;
 * - `failed`: Kafka or Postgres failed it.
 */
export type OperationErrorKind = 'invalid' | 'not-found' | 'refused' | 'timed-out' | 'failed';

export class OperationError extends ProcessorError {
  readonly kind: OperationErrorKind;
  /** Structured context (the plan that was refused, the gaps found) for `--json` and API bodies. */
  readonly details: unknown;

  constructor(kind: OperationErrorKind, code: string, message: string, details?: unknown) {
    super(code, message);
    this.kind = kind;
    this.details = details;
  }
}

/** The processor an operation acts on, as registered in `fleet.processors` or known to a running instance. */
export interface OperatedProcessor {
  name: string;
  groupId: string;
  topics: string[];
  dlqTopic: string;
}
