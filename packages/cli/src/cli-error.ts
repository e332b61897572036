import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

/**
 * An error the CLI reports as one clear message (no stack) and a meaningful exit code. `code` is
 * stable for scripts (`--json` prints it); the message says what was wrong and what to do.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  /** Printed as JSON on stdout with `--json`, besides the error. */
  readonly details: unknown;

  constructor(code: string, message: string, exitCode: ExitCodeValue = ExitCode.failed, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** The command line or a setting is wrong (exit 2). */
export const usageError = (code: string, message: string) => new CliError(code, message, ExitCode.usage);

/** The command will not go on without a flag, a confirmation or a stopped processor (exit 3). */
export const refusal = (code: string, message: string, details?: unknown) =>
  new CliError(code, message, ExitCode.refused, details);
