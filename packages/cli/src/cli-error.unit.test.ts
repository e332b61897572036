import type { errorCatalogue } from '@fleet/errors';
import { OperationError } from '@fleet/processor';
import { describe, expect, it } from 'vitest';
import { CliError, refusal, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

describe('exit codes come from the catalogue', () => {
  it('for the CLI’s own errors', () => {
    expect(usageError('BAD_DURATION', 'x').exitCode).toBe(ExitCode.usage);
    expect(refusal('NOT_CONFIRMED', 'x').exitCode).toBe(ExitCode.refused);
    expect(new CliError('ACK_TIMEOUT', 'x').exitCode).toBe(ExitCode.timedOut);
    expect(new CliError('KAFKA_UNREACHABLE', 'x').exitCode).toBe(ExitCode.failed);
  });

  it('for the operations’ errors, as they were by kind (invalid 2, not found 2, refused 3, timed out 4, failed 1)', () => {
    const exits = Object.fromEntries(
      ['BAD_OFFSETS', 'DEAD_LETTER_NOT_FOUND', 'REPLAY_PARTIAL', 'SWITCH_TIMEOUT', 'READ_TIMEOUT'].map(
        (code) => [code, new OperationError(code as keyof typeof errorCatalogue, 'x').exitCode],
      ),
    );
    expect(exits).toEqual({
      BAD_OFFSETS: 2,
      DEAD_LETTER_NOT_FOUND: 2,
      REPLAY_PARTIAL: 3,
      SWITCH_TIMEOUT: 4,
      READ_TIMEOUT: 1,
    });
  });
});
