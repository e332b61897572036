import { type ErrorSpec, ExitCode } from '../error-spec.ts';

const usage = { httpStatus: 400, exitCode: ExitCode.usage } as const;

/** The `fleet` operator CLI (`packages/cli`): its command line, settings and connections. */
export const cliCodes = {
  BAD_TIME: { description: 'A time that is not ISO 8601 (e.g. `2026-11-28T08:00:00Z`).', ...usage },
  BAD_DURATION: { description: 'A duration that is not a number with a unit (e.g. `30s`, `5m`).', ...usage },
  BAD_LIMIT: { description: '`--limit` is not a whole number of at least 1.', ...usage },
  BAD_SETTING: {
    description: 'A connection setting (flag or environment variable) is invalid; the message names it.',
    ...usage,
  },
  BAD_FLEET_ENTRY: {
    description:
      'A workspace package’s `fleet` entry is malformed, or two packages declare the same processor.',
    ...usage,
  },
  UNKNOWN_DEFINITION: {
    description:
      'The processor’s declaration was not found: no workspace package declares it, or the module or export named does not exist.',
    httpStatus: 404,
    exitCode: ExitCode.usage,
  },
  BAD_DEFINITION: { description: 'Loading the processor’s declaration module failed.', ...usage },
  PROCESSOR_AMBIGUOUS: {
    description: 'The processor runs as several consumer groups: name the group instead.',
    ...usage,
  },
  TOPICS_DIFFER: {
    description:
      'The registered processor reads other topics than its declaration here: run `fleet` with the fleet’s `FLEET_TOPIC_PREFIX`.',
    ...usage,
  },
  KAFKA_UNREACHABLE: {
    description: 'Kafka cannot be reached: check `--brokers` / `KAFKA_BROKERS` and that the broker runs.',
    httpStatus: 503,
    exitCode: ExitCode.failed,
  },
  KAFKA_AUTH_FAILED: {
    description:
      'Kafka refused the SASL credentials: check `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD` (or `_FILE`).',
    httpStatus: 503,
    exitCode: ExitCode.failed,
  },
  KAFKA_TLS_FAILED: {
    description:
      'TLS with Kafka failed: check `KAFKA_SECURITY_PROTOCOL`, `KAFKA_SSL_CA_FILE` and the client certificate and key.',
    httpStatus: 503,
    exitCode: ExitCode.failed,
  },
  POSTGRES_UNREACHABLE: {
    description:
      'PostgreSQL cannot be used (refused, unknown host, bad credentials or database): check `--database-url` / `DATABASE_URL`.',
    httpStatus: 503,
    exitCode: ExitCode.failed,
  },
  PROVISION_INVALID: {
    description:
      '`fleet provision` was given a processor name or role that cannot be provisioned (not a lower-case identifier, `__` in it, longer than 63 bytes, two roles alike) or a password variable that is too short or set twice.',
    ...usage,
  },
  PROVISION_NOT_ALLOWED: {
    description:
      '`fleet provision` connected as a role that may not create roles and schemas: use a superuser, or a role with CREATEROLE and CREATE on the database that owns the `fleet` schema.',
    httpStatus: 403,
    exitCode: ExitCode.failed,
  },
  UNEXPECTED: {
    description: 'An unexpected error ended the command; the CLI printed its stack.',
    httpStatus: 500,
    exitCode: ExitCode.failed,
  },
} as const satisfies Record<string, ErrorSpec>;
