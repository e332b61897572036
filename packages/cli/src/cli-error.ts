import { type ErrorCode, type errorCatalogue, FleetError } from '@fleet/errors';
import type { ExitCode } from './exit-codes.ts';

/**
 * An error the CLI reports as one clear message (no stack) and the exit code its `code` has in the
 * fleet's catalogue (docs/errors.md). `code` is stable for scripts (`--json` prints it); the message
 * says what was wrong and what to do.
 */
export class CliError extends FleetError {
  /** Printed as JSON on stdout with `--json`, besides the error. */
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message, { details });
  }
}

/** The codes whose catalogue exit code is `exit`: the helpers below cannot disagree with the catalogue. */
type CodeExiting<Exit extends number> = {
  [C in ErrorCode]: (typeof errorCatalogue)[C]['exitCode'] extends Exit ? C : never;
}[ErrorCode];

/** The command line or a setting is wrong (exit 2). */
export const usageError = (code: CodeExiting<typeof ExitCode.usage>, message: string) =>
  new CliError(code, message);

/** The command will not go on without a flag, a confirmation or a stopped processor (exit 3). */
export const refusal = (code: CodeExiting<typeof ExitCode.refused>, message: string, details?: unknown) =>
  new CliError(code, message, details);
