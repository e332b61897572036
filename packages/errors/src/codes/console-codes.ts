import { type ErrorSpec, ExitCode } from '../error-spec.ts';

/** The operator console (`console/`): its own refusals and what it met calling the processors. */
export const consoleCodes = {
  PROCESSOR_UNKNOWN: {
    description:
      'No processor of that name (or consumer group) is registered in `fleet.processors` of this database; the message lists those that are.',
    httpStatus: 404,
    exitCode: ExitCode.usage,
  },
  READ_ONLY: {
    description:
      'Signed in with a read token: it shows everything and changes nothing. Sign in with a write token.',
    httpStatus: 403,
    exitCode: ExitCode.usage,
  },
  CROSS_ORIGIN: {
    description: 'A cookie-authenticated write from another origin: only the console’s own pages may write.',
    httpStatus: 403,
    exitCode: ExitCode.usage,
  },
  JSON_REQUIRED: {
    description: 'A cookie-authenticated write without `Content-Type: application/json`.',
    httpStatus: 415,
    exitCode: ExitCode.usage,
  },
  ADMIN_TOKEN_MISSING: {
    description:
      'The console has no `FLEET_ADMIN_TOKEN`: set the same token for the processors and the console to use their admin API.',
    httpStatus: 503,
    exitCode: ExitCode.usage,
  },
  ADMIN_UNAVAILABLE: {
    description: 'No live instance of the processor offers a usable admin API (none alive, none answered).',
    httpStatus: 409,
    exitCode: ExitCode.failed,
  },
  INSTANCE_UNREACHABLE: {
    description: 'A processor instance did not answer in time (or refused the connection).',
    httpStatus: 502,
    exitCode: ExitCode.failed,
  },
  INSTANCE_ERROR: {
    description:
      'A processor instance answered with an error that is not in the fleet’s error shape (a proxy’s page, an older version).',
    httpStatus: 502,
    exitCode: ExitCode.failed,
    details: '`{ status, body }`: what the instance answered (the body cut to 500 characters)',
  },
} as const satisfies Record<string, ErrorSpec>;
