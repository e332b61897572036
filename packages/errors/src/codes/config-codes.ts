import { type ErrorSpec, ExitCode } from '../error-spec.ts';

/** A service's start-up: its configuration, checked once, every problem listed at once. */
export const configCodes = {
  CONFIG_INVALID: {
    description:
      'The environment is invalid: every missing or bad variable is listed; the service does not start (exit 78, EX_CONFIG).',
    httpStatus: 500,
    exitCode: ExitCode.config,
    details: 'none; `ConfigError.problems` lists the problems',
  },
  PAYMENT_RULES_INVALID: {
    description:
      'The payment rules file (`PAYMENTS_RULES_FILE`) cannot be read, is not JSON or breaks the rules schema; payments does not start.',
    httpStatus: 500,
    exitCode: ExitCode.config,
  },
} as const satisfies Record<string, ErrorSpec>;
